// "Not sent" on the Slots screen: queued messages that failed in the bridge's outbox, whoever
// queued them (phones, the REST API, this app), with Retry and Discard. Hidden while there are
// none; reloaded when the outbox reports a send or a failure and after the live link comes back.
import { useCallback, useEffect, useState } from 'react';
import type { OutboxEntryView } from '../api/types.js';
import { useApp, useBridgeEvents, useOnReconnect } from '../state/app.js';
import { formatPhone } from '../lib/format.js';
import { ConfirmDialog } from './Dialog.js';
import { Icon } from './Icon.js';
import { useReportError } from './Notices.js';

export function NotSentPanel() {
  const { api, t, notify } = useApp();
  const report = useReportError();
  const [entries, setEntries] = useState<OutboxEntryView[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [discarding, setDiscarding] = useState<OutboxEntryView | null>(null);

  const load = useCallback(() => {
    api.get<{ data: OutboxEntryView[] }>('/api/outbox', { status: 'failed' }).then(
      (r) => setEntries(r.data),
      () => undefined, // the bridge is away: the banner says so, and the reconnect reloads
    );
  }, [api]);
  useEffect(load, [load]);
  useOnReconnect(load);
  useBridgeEvents((e) => {
    if (e.type === 'outbox_failed' || e.type === 'outbox_sent') load();
  }, [load]);

  async function act(entry: OutboxEntryView, fn: () => Promise<unknown>) {
    setBusy(entry.outboxId);
    try {
      await fn();
    } catch (err) {
      report(err);
    } finally {
      setBusy(null);
      load();
    }
  }
  const retry = (entry: OutboxEntryView) =>
    act(entry, async () => {
      await api.post(`/api/outbox/${encodeURIComponent(entry.outboxId)}/retry`);
      notify({ kind: 'info', title: t('notSentRetried', { n: entry.slot }) });
    });
  const discard = (entry: OutboxEntryView) => act(entry, () => api.del(`/api/outbox/${encodeURIComponent(entry.outboxId)}`));

  if (entries.length === 0) return null;
  return (
    <section className="card not-sent" aria-labelledby="not-sent-title" data-testid="not-sent">
      <h2 id="not-sent-title">
        <Icon name="alert" size={18} />
        {t('notSentTitle')}
      </h2>
      <p className="muted fine">{t('notSentLead')}</p>
      <ul className="not-sent-list">
        {entries.map((e) => (
          <li key={e.outboxId} data-testid="not-sent-entry" data-outbox-id={e.outboxId}>
            <div className="not-sent-what">
              <span className="fine">
                {t('slot', { n: e.slot })} · <bdi dir="ltr">{'phone' in e ? formatPhone(e.phone) : e.chatId}</bdi>
              </span>
              <span className="not-sent-preview" dir="auto">{e.preview ?? t('notSentMedia')}</span>
              <span className="not-sent-reason" data-testid="not-sent-reason" dir="auto">
                {e.unconfirmed ? <><strong>{t('sendUnconfirmedRow')}:</strong> {t('sendUnconfirmed')}</> : e.error}
              </span>
            </div>
            <div className="not-sent-actions">
              <button type="button" className="btn small" disabled={busy === e.outboxId} onClick={() => void retry(e)} data-testid="not-sent-retry">
                <Icon name="refresh" size={16} />
                {t('sendRetry')}
              </button>
              <button type="button" className="btn small danger-text" disabled={busy === e.outboxId} onClick={() => setDiscarding(e)} data-testid="not-sent-discard">
                <Icon name="trash" size={16} />
                {t('discardUnsent')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {discarding && (
        <ConfirmDialog
          open
          title={t('notSentDiscardTitle')}
          body={t('notSentDiscardBody')}
          confirmLabel={t('discardUnsent')}
          danger
          onConfirm={() => void discard(discarding)}
          onClose={() => setDiscarding(null)}
        />
      )}
    </section>
  );
}
