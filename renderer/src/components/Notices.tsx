// Toasts for errors and confirmations, read out by screen readers, plus the lost-link banner.
import { useApp, useLinkState } from '../state/app.js';
import { useStore } from '../state/store.js';
import { Icon } from './Icon.js';
import { explainError } from '../lib/errors.js';

export function Notices() {
  const { notices, t } = useApp();
  const list = useStore(notices);
  return (
    <div className="notices" role="status" aria-live="polite">
      {list.map((n) => (
        <div key={n.id} className={`notice ${n.kind}`} data-testid={`notice-${n.kind}`}>
          {n.kind === 'error' && <Icon name="alert" />}
          <div className="notice-text">
            <strong>{n.title}</strong>
            {n.next && <span>{n.next}</span>}
          </div>
          <button
            type="button"
            className="icon-btn"
            aria-label={t('dismiss')}
            onClick={() => notices.set((l) => l.filter((x) => x.id !== n.id))}
          >
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </div>
  );
}

export function LinkBanner() {
  const { link, t } = useApp();
  const state = useLinkState(link);
  if (state === 'open' || state === 'closed') return null;
  return (
    <div className={`link-banner ${state}`} role="alert" data-testid="link-banner">
      <span className="spinner" aria-hidden="true" />
      {state === 'lost' ? t('linkLost') : t('linkConnecting')}
    </div>
  );
}

/** The shared way to report a failed action. */
export function useReportError(): (err: unknown) => void {
  const { notify, t } = useApp();
  return (err) => {
    const e = explainError(err, t);
    notify({ kind: 'error', title: e.title, next: e.next });
  };
}

/** An inline error block with what to do next (for screens that failed to load). */
export function ErrorBlock({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useApp();
  const e = explainError(error, t);
  return (
    <div className="error-block" role="alert" data-testid="error-block" data-code={e.code}>
      <Icon name="alert" size={28} />
      <div>
        <strong>{e.title}</strong>
        <p>{e.next}</p>
      </div>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}
