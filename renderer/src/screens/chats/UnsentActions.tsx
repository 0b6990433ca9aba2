// Under a message the bridge did not take: why, and what to do (Retry, Queue until connected).
import { useApp } from '../../state/app.js';
import type { Unsent } from '../../state/unsent.js';
import { explainError } from '../../lib/errors.js';
import { Icon } from '../../components/Icon.js';

export function UnsentActions({ item }: { item: Unsent }) {
  const { t, unsent } = useApp();
  const id = item.row.id;
  if (item.state === 'waiting' || item.state === 'outbox' || item.state === 'sending') {
    return (
      <div className="unsent out" data-testid="unsent" data-state={item.state} role="status">
        <Icon name="clock" size={14} />
        <span>{item.state === 'sending' ? t('sending') : t(item.state === 'waiting' ? 'sendQueued' : 'sendInOutbox')}</span>
      </div>
    );
  }
  // Unconfirmed: say so instead of the error code's wording, so nobody retries without looking.
  const why = item.unconfirmed ? t('sendUnconfirmed') : explainError(item.error, t).title;
  return (
    <div className="unsent out" data-testid="unsent" data-state="failed" data-unconfirmed={item.unconfirmed ? 'true' : undefined} role="alert">
      <Icon name="alert" size={14} />
      <span>
        <strong>{t(item.unconfirmed ? 'sendUnconfirmedRow' : 'sendFailedRow')}</strong> — {why}
      </span>
      <button type="button" className="btn small" onClick={() => void unsent.send(id)} data-testid="unsent-retry">
        {t('sendRetry')}
      </button>
      <button type="button" className="btn small" onClick={() => unsent.queue(id)} data-testid="unsent-queue">
        {t('sendQueue')}
      </button>
      <button type="button" className="btn small ghost" onClick={() => unsent.discard(id)} data-testid="unsent-discard">
        {t('discardUnsent')}
      </button>
    </div>
  );
}
