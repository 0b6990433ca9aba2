// The slot grid: state, account, live QR with countdown, and the connect/disconnect/log-out actions.
import { useState } from 'react';
import { useSlotsLoaded, useStatesKnown } from '../state/useSlotsLoaded.js';
import { useApp } from '../state/app.js';
import { useStore } from '../state/store.js';
import type { SlotView } from '../state/slots.js';
import { Icon } from '../components/Icon.js';
import { ConfirmDialog } from '../components/Dialog.js';
import { ErrorBlock, useReportError } from '../components/Notices.js';
import { formatDateTime, formatDay, formatPhone } from '../lib/format.js';
import { useNow } from '../lib/useNow.js';
import type { MessageKey } from '../i18n/i18n.js';
import { ApiError } from '../api/client.js';
import { SlotBackup } from '../components/Backup.js';
import { SlotErrorLine } from '../components/SlotErrorLine.js';
import { NotSentPanel } from '../components/NotSent.js';

export function SlotsScreen() {
  const { slots, t } = useApp();
  const list = useStore(slots.slots);
  const { loaded, error, retry } = useSlotsLoaded();

  return (
    <section className="screen" aria-labelledby="slots-title">
      <div className="screen-head">
        <div>
          <h1 id="slots-title">{t('slotsTitle')}</h1>
          <p className="muted">{t('slotsLead')}</p>
        </div>
      </div>
      {error !== null && !loaded ? (
        <ErrorBlock error={error} onRetry={retry} />
      ) : !loaded ? (
        <div className="slot-grid" aria-busy="true">
          {[0, 1, 2].map((i) => (
            <div key={i} className="card slot-card skeleton" />
          ))}
        </div>
      ) : (
        <div className="slot-grid" data-testid="slot-grid">
          {list.map((s) => (
            <SlotCard key={s.slot} slot={s} />
          ))}
        </div>
      )}
      <NotSentPanel />
    </section>
  );
}

type Pending = null | 'disconnect' | 'logout';

function SlotCard({ slot: s }: { slot: SlotView }) {
  const { api, slots, t, lang } = useApp();
  const report = useReportError();
  const [confirm, setConfirm] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const now = useNow(15_000);
  // While the bridge is away its last word may be stale: say "unknown", not "Ready".
  const known = useStatesKnown();
  const state = known ? s.state : 'UNKNOWN';

  async function act(fn: () => Promise<unknown>) {
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      report(err);
    } finally {
      setBusy(false);
    }
  }
  const connect = () => act(() => api.post('/api/connect', { slot: s.slot }));
  const disconnect = (logout: boolean) => act(() => api.post('/api/disconnect', logout ? { slot: s.slot, logout: true } : { slot: s.slot }));

  async function newQr() {
    await act(async () => {
      if (s.state !== 'QR') {
        await api.post('/api/connect', { slot: s.slot });
        return;
      }
      try {
        await api.get(`/api/slots/${s.slot}/qr`);
        await slots.loadQr(s.slot);
      } catch (err) {
        // The last code expired and no fresh one came: restart the login to get a new one.
        if (err instanceof ApiError && (err.code === 'QR_EXPIRED' || err.code === 'NOT_FOUND')) {
          await api.post('/api/disconnect', { slot: s.slot });
          await api.post('/api/connect', { slot: s.slot });
        } else throw err;
      }
    });
  }

  const running = s.state !== 'STOPPED' && s.state !== 'FAILED';
  return (
    <article className={`card slot-card state-${state}`} data-testid="slot-card" data-slot={s.slot} data-state={state} aria-labelledby={`slot-${s.slot}-title`}>
      <header className="slot-head">
        <h2 id={`slot-${s.slot}-title`}>{t('slot', { n: s.slot })}</h2>
        <span className={`pill state-${state}`} data-testid="slot-state" title={known ? undefined : t('stateUnknownHint')}>
          <span className="dot" aria-hidden="true" />
          {t(`state${state}` as MessageKey)}
        </span>
      </header>
      <div className="slot-account">
        {s.ready || s.phone ? (
          <>
            <div className="slot-name">{s.name || formatPhone(s.phone)}</div>
            {s.phone && (
              <div className="slot-phone" dir="ltr" data-testid="slot-phone">
                {formatPhone(s.phone)}
              </div>
            )}
          </>
        ) : (
          <div className="muted">{t('noPhoneYet')}</div>
        )}
        {s.since && s.state !== 'STOPPED' && (
          <div className="fine" title={formatDateTime(s.since, lang)}>
            {t('since', { time: formatDay(s.since, lang, now) })}
          </div>
        )}
      </div>
      {/* While pairing, the QR takes the backup line's place, so the card grows as little as it can. */}
      {known && s.state === 'QR' ? <QrPanel slot={s} onNewQr={newQr} busy={busy} /> : <SlotBackup slot={s.slot} ready={s.ready} />}
      {s.lastError && (s.state === 'FAILED' || s.state === 'RECONNECTING' || s.state === 'STOPPED') && (
        <div className="slot-error" data-testid="slot-error">
          <Icon name="alert" size={16} />
          <span>
            <strong>{t('lastError')}:</strong> <SlotErrorLine raw={s.lastError} />
          </span>
        </div>
      )}
      <footer className="slot-actions">
        {!running && (
          <button type="button" className="btn primary" onClick={connect} disabled={busy} data-testid="slot-connect">
            <Icon name="power" size={18} />
            {t('connect')}
          </button>
        )}
        {running && (
          <button type="button" className="btn" onClick={() => setConfirm('disconnect')} disabled={busy} data-testid="slot-disconnect">
            <Icon name="power" size={18} />
            {t('disconnect')}
          </button>
        )}
        {(running || s.phone) && (
          <button type="button" className="btn danger-text" onClick={() => setConfirm('logout')} disabled={busy} data-testid="slot-logout">
            <Icon name="logout" size={18} />
            {t('logout')}
          </button>
        )}
      </footer>
      {confirm !== null && (
        <ConfirmDialog
        open
        title={t(confirm === 'logout' ? 'logoutConfirmTitle' : 'disconnectConfirmTitle', { n: s.slot })}
        body={t(confirm === 'logout' ? 'logoutConfirmBody' : 'disconnectConfirmBody')}
        confirmLabel={t(confirm === 'logout' ? 'logout' : 'disconnect')}
        danger
        onConfirm={() => void disconnect(confirm === 'logout')}
        onClose={() => setConfirm(null)}
        />
      )}
    </article>
  );
}

/**
 * The QR at a size that keeps the six cards on one screen (at 1024×640 too): the hint beside it,
 * the countdown and an icon-only "New QR" on one line that never wraps.
 */
function QrPanel({ slot: s, onNewQr, busy }: { slot: SlotView; onNewQr: () => void; busy: boolean }) {
  const { t } = useApp();
  const now = useNow(1000, !!s.qr?.expiresAt);
  const left = s.qr?.expiresAt ? Math.max(0, Math.ceil((s.qr.expiresAt - now) / 1000)) : null;
  const expired = left === 0;
  const hintId = `slot-${s.slot}-scan-hint`;
  return (
    <div className="qr-panel" data-testid="slot-qr">
      <div className={expired ? 'qr-frame expired' : 'qr-frame'}>
        {s.qr ? <img src={s.qr.src} alt={t('qrAlt', { n: s.slot })} aria-describedby={hintId} title={t('scanHint')} width={232} height={232} /> : <div className="qr-wait spinner" />}
        {expired && <div className="qr-expired">{t('qrExpired')}</div>}
      </div>
      <div className="qr-side">
        <p className="fine qr-hint" id={hintId}>
          {t('scanHint')}
        </p>
        <div className="qr-meta">
          {left !== null && !expired && (
            <span className={left <= 5 ? 'countdown low' : 'countdown'} data-testid="qr-countdown">
              {t('qrExpiresIn', { s: left })}
            </span>
          )}
          <button type="button" className="btn small icon-only" onClick={onNewQr} disabled={busy} data-testid="qr-new" aria-label={t('newQr')} title={t('newQr')}>
            <Icon name="refresh" size={16} />
          </button>
        </div>
      </div>
    </div>
  );
}
