// Delivery ticks as WhatsApp draws them, from the API ack (0 failed … 5 played).
import { useApp } from '../state/app.js';
import type { MessageKey } from '../i18n/i18n.js';

export function Ticks({ ack }: { ack: number }) {
  const { t } = useApp();
  const label = t(`ack${Math.max(0, Math.min(5, ack))}` as MessageKey);
  let body;
  if (ack <= 0) body = <path d="M8 3v6M8 12v.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />;
  else if (ack === 1)
    body = (
      <>
        <circle cx="8" cy="8" r="5.5" stroke="currentColor" strokeWidth="1.4" fill="none" />
        <path d="M8 5v3.2l2 1.3" stroke="currentColor" strokeWidth="1.4" fill="none" strokeLinecap="round" />
      </>
    );
  else if (ack === 2) body = <path d="M3 8.5 6.5 12 13 4.5" stroke="currentColor" strokeWidth="1.6" fill="none" strokeLinecap="round" strokeLinejoin="round" />;
  else
    body = (
      <path
        d="M1 8.5 4.5 12 11 4.5M7 10.5 8.5 12 15 4.5"
        stroke="currentColor"
        strokeWidth="1.6"
        fill="none"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    );
  const cls = ack <= 0 ? 'failed' : ack >= 4 ? 'read' : 'grey';
  return (
    <span className={`ticks ${cls}`} data-testid="ticks" data-ack={ack} title={label} role="img" aria-label={label}>
      <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
        {body}
      </svg>
      {ack === 5 && <span className="played-dot" aria-hidden="true" />}
    </span>
  );
}
