// Settings & health: bridge and slot health, the saved settings (some apply at next start),
// database test, FCM key upload, and the recent log.
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useApp, useBridgeEvents, useOnReconnect } from '../state/app.js';
import { useStore } from '../state/store.js';
import type { Health, LogLine, Settings } from '../api/types.js';
import { BackupCard } from '../components/Backup.js';
import { DesktopUpdatesCard } from '../components/DesktopUpdates.js';
import { settingsChanges, type NumKey, type SettingsForm as FormState } from '../lib/settings.js';
import { Icon } from '../components/Icon.js';
import { ConfirmDialog } from '../components/Dialog.js';
import { ErrorBlock, useReportError } from '../components/Notices.js';
import { formatTime, locale } from '../lib/format.js';
import { ApiError } from '../api/client.js';
import { SlotErrorLine } from '../components/SlotErrorLine.js';
import type { MessageKey } from '../i18n/i18n.js';

type SettingsReply = { success: true; data: Settings; restartRequired?: string[]; locked?: Record<string, string> };

const FIELD_LABEL: Record<string, MessageKey> = {
  port: 'port',
  slots: 'slotCount',
  dbUrl: 'database',
  ratePerMinute: 'perMinute',
  ratePerHour: 'perHour',
  ratePerDay: 'perDay',
  firebaseServiceAccount: 'push',
};

export function SettingsScreen() {
  return (
    <section className="screen settings-screen" aria-labelledby="settings-title">
      <SettingsTitle />
      <HealthPanel />
      <SettingsForm />
      <BackupCard />
      <DesktopUpdatesCard />
      <LogPanel />
    </section>
  );
}

function SettingsTitle() {
  const { t } = useApp();
  return (
    <div className="screen-head compact">
      <h1 id="settings-title">{t('settingsTitle')}</h1>
    </div>
  );
}

function uptimeText(secs: number, lang: string): string {
  const units: [Intl.NumberFormatOptions['unit'], number][] = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (secs >= size) return new Intl.NumberFormat(locale(lang), { style: 'unit', unit, unitDisplay: 'long' }).format(Math.floor(secs / size));
  }
  return new Intl.NumberFormat(locale(lang), { style: 'unit', unit: 'second', unitDisplay: 'long' }).format(Math.floor(secs));
}

const HEALTH_REFRESH_MS = 10_000;
const GATEWAY_KEYS: Record<string, MessageKey> = {
  connected: 'gwConnected',
  waiting_for_qr: 'gwWaitingForQr',
  connecting: 'gwConnecting',
  reconnecting: 'gwReconnecting',
  failed: 'gwFailed',
  disconnected: 'gwDisconnected',
};
/** The bridge's gateway words, in the owner's language (an unknown one falls back to a generic word). */
function gatewayKey(status: string): MessageKey {
  return GATEWAY_KEYS[status] ?? 'gwOther';
}

function HealthPanel() {
  const { api, slots, t, lang } = useApp();
  const health = useStore(slots.health);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    api.get<Health>('/api/health').then((h) => {
      slots.health.set(h);
      setError(null);
    }, setError);
  }, [api, slots]);
  useEffect(load, [load]);
  useOnReconnect(load);
  // Memory, restarts and the archive change without events: refresh while the panel is open.
  useEffect(() => {
    const id = setInterval(load, HEALTH_REFRESH_MS);
    return () => clearInterval(id);
  }, [load]);
  // Slot changes arrive live; health follows them too.
  useBridgeEvents((e) => e.type === 'status' && load(), [load]);

  return (
    <RefreshCard title={t('healthTitle')} testId="health" onRefresh={load} error={error} loading={!health}>
      {health && (
        <>
          <p className={`overall ${health.status}`} data-testid="health-overall">
            <span className="dot" />
            {t(`overall${health.status}` as MessageKey)} · {t('uptime', { time: uptimeText(health.uptimeSeconds, lang) })}
          </p>
          {health.tls?.lanHttp && (
            <p className="fine err" role="alert" data-testid="lan-http-warning">
              {t('lanHttpWarning')}
            </p>
          )}
          <table className="health-table">
            <tbody>
              {health.slots.map((s) => (
                <tr key={s.slot}>
                  <th scope="row">{t('slot', { n: s.slot })}</th>
                  <td>
                    <span className={`pill state-${s.state}`}>
                      <span className="dot" />
                      {t(`state${s.state}` as MessageKey)}
                    </span>
                  </td>
                  <td className="fine" data-testid="gateway-status">{s.gatewayStatus ? t(gatewayKey(s.gatewayStatus)) : ''}</td>
                  <td className="fine">{t('restarts', { n: s.restarts ?? 0 })}</td>
                  <td className="fine err">{s.lastError ? <SlotErrorLine raw={s.lastError} /> : ''}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">{t('archive')}</th>
                <td>
                  <span className={`pill ${health.archive.ok ? 'state-READY' : 'state-FAILED'}`} data-testid="archive-health">
                    <span className="dot" />
                    {t(health.archive.ok ? 'archiveOk' : 'archiveBad', { backend: health.archive.backend })}
                  </span>
                </td>
                <td className="fine" colSpan={2}>
                  {health.archive.pending ? t('pendingWrites', { n: health.archive.pending }) : ''}
                </td>
                <td className="fine err">{health.archive.error ?? ''}</td>
              </tr>
            </tbody>
          </table>
        </>
      )}
    </RefreshCard>
  );
}

function SettingsForm() {
  const { api, t, notify } = useApp();
  const report = useReportError();
  const [saved, setSaved] = useState<Settings | null>(null);
  const [restartKeys, setRestartKeys] = useState<string[]>([]);
  /** Options an environment variable decides, with its name. */
  const [locked, setLocked] = useState<Record<string, string>>({});
  const [restarting, setRestarting] = useState(false);
  const [confirmRestart, setConfirmRestart] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [form, setForm] = useState<FormState>({
    port: '',
    slots: '',
    ratePerMinute: '',
    ratePerHour: '',
    ratePerDay: '',
    db: 'sqlite',
    dbUrl: '',
  });
  const [formError, setFormError] = useState<string | null>(null);
  // `refused`: the bridge would not test this server (not saved yet, or a bad URL): its words.
  const [dbTest, setDbTest] = useState<{ busy: boolean; ok?: boolean; error?: string; refused?: { saveFirst: boolean; message: string } }>({ busy: false });
  const [restartNote, setRestartNote] = useState<string[]>([]);
  const [fcmNote, setFcmNote] = useState<string | null>(null);

  const apply = useCallback((r: SettingsReply) => {
    const s = r.data;
    setSaved(s);
    setRestartKeys(r.restartRequired ?? []);
    setLocked(r.locked ?? {});
    setForm({
      port: String(s.port),
      slots: String(s.slots),
      ratePerMinute: String(s.ratePerMinute),
      ratePerHour: String(s.ratePerHour),
      ratePerDay: String(s.ratePerDay),
      db: s.dbUrl ? 'mysql' : 'sqlite',
      dbUrl: s.dbUrl ?? '',
    });
  }, []);

  const load = useCallback(() => {
    setError(null);
    api.get<SettingsReply>('/api/settings').then(apply, setError);
  }, [api, apply]);
  useEffect(load, [load]);
  // Back from an outage: load what failed, but never overwrite the owner's unsaved edits.
  const savedRef = useRef(saved);
  savedRef.current = saved;
  useOnReconnect(useCallback(() => !savedRef.current && load(), [load]));

  const label = (k: string) => t(FIELD_LABEL[k] ?? 'settingsSection');

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!saved) return;
    const changes = settingsChanges(saved, form, label, {
      number: (field, min, max) => t('invalidNumberField', { field, min, max }),
      dbUrl: t('dbUrlHint'),
    });
    if (typeof changes === 'string') {
      setFormError(changes);
      return;
    }
    setFormError(null);
    try {
      const r = await api.put<SettingsReply>('/api/settings', changes);
      apply(r);
      const needs = Object.keys(changes).filter((k) => (r.restartRequired ?? []).includes(k));
      setRestartNote(needs);
      notify({ kind: 'info', title: t('saved') });
    } catch (err) {
      report(err);
    }
  }

  /**
   * Test the database server. The bridge only tests a server that is saved (so the button cannot
   * probe the network): for a new one it refuses, and the owner is offered "Save and test".
   */
  async function testDb(saveFirst = false) {
    setDbTest({ busy: true });
    const dbUrl = form.dbUrl.trim();
    try {
      if (saveFirst) {
        const r = await api.put<SettingsReply>('/api/settings', { dbUrl });
        // Keep the rest of the form as typed: only the database URL was saved.
        setSaved(r.data);
        setRestartKeys(r.restartRequired ?? []);
        if ((r.restartRequired ?? []).includes('dbUrl')) setRestartNote((n) => (n.includes('dbUrl') ? n : [...n, 'dbUrl']));
      }
      // The saved URL shows its password masked: let the bridge test the saved one itself.
      const body = saveFirst || dbUrl === (saved?.dbUrl ?? '') ? {} : { dbUrl };
      const r = await api.post<{ ok: boolean; error?: string }>('/api/settings/test-db', body);
      setDbTest({ busy: false, ok: r.ok, error: r.error });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'FORBIDDEN' || err.code === 'VALIDATION_ERROR')) {
        setDbTest({ busy: false, refused: { saveFirst: err.code === 'FORBIDDEN' && !saveFirst, message: err.message } });
      } else {
        setDbTest({ busy: false });
        report(err);
      }
    }
  }

  /** Ask the bridge to restart, then reload once the new one answers. */
  async function restartBridge() {
    const asked = Date.now();
    setRestarting(true);
    try {
      await api.post('/api/restart');
    } catch (err) {
      setRestarting(false);
      report(err);
      return;
    }
    for (let i = 0; i < 120; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      try {
        const h = await api.get<{ uptimeSeconds: number }>('/api/health');
        // The new bridge: started after the request.
        if (h.uptimeSeconds * 1000 <= Date.now() - asked + 1000) break;
      } catch {
        /* still restarting */
      }
    }
    setRestarting(false);
    setRestartNote([]);
    load();
    notify({ kind: 'info', title: t('restarted') });
  }

  async function uploadFcm(file: File) {
    setFcmNote(null);
    let account: Record<string, unknown>;
    try {
      account = JSON.parse(await file.text()) as Record<string, unknown>;
      if (!account || typeof account.project_id !== 'string' || typeof account.client_email !== 'string' || typeof account.private_key !== 'string') throw new Error('shape');
    } catch {
      notify({ kind: 'error', title: t('badServiceAccount') });
      return;
    }
    try {
      await api.post('/api/settings/firebase', { serviceAccount: account });
      setFcmNote(t('uploaded'));
      load();
    } catch (err) {
      report(err);
    }
  }

  if (error !== null) return <ErrorBlock error={error} onRetry={load} />;
  if (!saved) return <div className="card boot">{t('loading')}</div>;

  const restartHint = (k: string) =>
    restartKeys.includes(k) ? (
      <span className="restart-hint" data-testid={`restart-hint-${k}`}>
        {t('needsRestart')}
      </span>
    ) : null;
  const lockNote = (k: string) =>
    locked[k] ? (
      <span className="lock-note" data-testid={`locked-${k}`}>
        {t('lockedBy', { name: locked[k] })}
      </span>
    ) : null;
  const num = (k: NumKey, text: MessageKey) => (
    <label className="field">
      <span>
        {t(text)} {restartHint(k)} {lockNote(k)}
      </span>
      <input
        inputMode="numeric"
        dir="ltr"
        value={form[k]}
        disabled={!!locked[k]}
        onChange={(e) => setForm({ ...form, [k]: e.target.value })}
        data-testid={`setting-${k}`}
      />
    </label>
  );

  return (
    <form className="card form settings-form" onSubmit={save} data-testid="settings-form">
      <div className="card-head">
        <h2>{t('settingsSection')}</h2>
        <button type="submit" className="btn primary" data-testid="settings-save">
          {t('save')}
        </button>
      </div>
      {restartKeys.length > 0 && (
        <div className="restart-banner restart-list" role="status" data-testid="restart-list">
          <Icon name="refresh" size={18} />
          <span>{t('restartPending', { keys: restartKeys.map(label).join('، ') })}</span>
          <button type="button" className="btn small" onClick={() => setConfirmRestart(true)} disabled={restarting} data-testid="restart-bridge">
            {restarting ? t('restartingBridge') : t('restartBridge')}
          </button>
        </div>
      )}
      <ConfirmDialog
        open={confirmRestart}
        title={t('restartBridge')}
        body={t('restartConfirmBody')}
        confirmLabel={t('restartBridge')}
        onConfirm={() => void restartBridge()}
        onClose={() => setConfirmRestart(false)}
      />
      {restartNote.length > 0 && (
        <div className="restart-banner" role="status" data-testid="restart-note">
          <Icon name="refresh" size={18} />
          {t('restartNeeded', { keys: restartNote.map(label).join('، ') })}
        </div>
      )}
      {formError && (
        <p className="error-inline" role="alert">
          {formError}
        </p>
      )}
      <div className="grid-fields">
        <div className="field">
          <span>{t('dataDir')}</span>
          <code dir="ltr" className="readonly">{saved.dataDir}</code>
        </div>
        <div className="field">
          <span>{t('engine')}</span>
          <code className="readonly">{saved.engine}</code>
        </div>
        {num('port', 'port')}
        {num('slots', 'slotCount')}
      </div>
      <fieldset className="field">
        <legend>
          <Icon name="database" size={18} /> {t('database')} {restartHint('dbUrl')} {lockNote('dbUrl')}
        </legend>
        <label className="radio">
          <input type="radio" name="db" disabled={!!locked.dbUrl} checked={form.db === 'sqlite'} onChange={() => setForm({ ...form, db: 'sqlite' })} data-testid="db-sqlite" />
          {t('dbSqlite')}
        </label>
        <label className="radio">
          <input type="radio" name="db" disabled={!!locked.dbUrl} checked={form.db === 'mysql'} onChange={() => setForm({ ...form, db: 'mysql' })} data-testid="db-mysql" />
          {t('dbMysql')}
        </label>
        {form.db === 'mysql' && (
          <div className="db-row">
            <input
              dir="ltr"
              value={form.dbUrl}
              placeholder={t('dbUrlHint')}
              aria-label={t('dbUrl')}
              onChange={(e) => {
                setForm({ ...form, dbUrl: e.target.value });
                setDbTest({ busy: false });
              }}
              data-testid="db-url"
            />
            <button type="button" className="btn" onClick={() => void testDb()} disabled={dbTest.busy || !form.dbUrl.trim()} data-testid="db-test">
              {dbTest.busy ? t('testing') : t('testConnection')}
            </button>
          </div>
        )}
        {form.db === 'mysql' && dbTest.refused && (
          <div className="error-inline db-refused" role="status" data-testid="db-test-refused">
            <p>{dbTest.refused.saveFirst ? t('dbSaveFirst') : t('dbTestRefused')}</p>
            <p className="fine" dir="ltr" data-testid="db-test-refused-reason">
              {dbTest.refused.message}
            </p>
            {dbTest.refused.saveFirst && (
              <button type="button" className="btn primary small" onClick={() => void testDb(true)} disabled={dbTest.busy} data-testid="db-save-test">
                {t('dbSaveAndTest')}
              </button>
            )}
          </div>
        )}
        {form.db === 'mysql' && dbTest.ok !== undefined && (
          <p className={dbTest.ok ? 'ok-inline' : 'error-inline'} role="status" data-testid="db-test-result">
            {dbTest.ok ? t('dbOk') : t('dbFailed', { error: dbTest.error ?? '' })}
          </p>
        )}
      </fieldset>
      <fieldset className="field">
        <legend>{t('rateLimits')}</legend>
        <div className="grid-fields three">
          {num('ratePerMinute', 'perMinute')}
          {num('ratePerHour', 'perHour')}
          {num('ratePerDay', 'perDay')}
        </div>
      </fieldset>
      <fieldset className="field">
        <legend>{t('push')} {restartHint('firebaseServiceAccount')}</legend>
        <p className="fine" dir="auto">{saved.firebaseServiceAccount ? t('pushOn', { path: saved.firebaseServiceAccount }) : t('pushOff')}</p>
        <label className="btn file-btn">
          <Icon name="upload" size={18} />
          {t('uploadServiceAccount')}
          <input
            type="file"
            accept="application/json,.json"
            className="sr-only"
            data-testid="fcm-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void uploadFcm(f);
            }}
          />
        </label>
        {fcmNote && <p className="ok-inline" role="status">{fcmNote}</p>}
      </fieldset>
    </form>
  );
}

function LogPanel() {
  const { api, t, lang } = useApp();
  const [lines, setLines] = useState<LogLine[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    api.get<{ data: LogLine[] }>('/api/logs', { limit: 200 }).then((r) => {
      setLines(r.data);
      setError(null);
    }, setError);
  }, [api]);
  useEffect(load, [load]);
  useOnReconnect(load);
  return (
    <RefreshCard title={t('logsTitle')} testId="logs" onRefresh={load} error={error} loading={!lines}>
      {lines?.length === 0 ? (
        <p className="empty-line">{t('noLogs')}</p>
      ) : (
        <ol className="log" dir="ltr" tabIndex={0}>
          {lines?.map((l, i) => (
            <li key={i} className={`lvl-${l.level}`}>
              <time>{formatTime(l.time, lang)}</time>
              <span className="lvl">{l.level}</span>
              <span className="msg">{l.msg}</span>
            </li>
          ))}
        </ol>
      )}
    </RefreshCard>
  );
}

/** A settings card that loads something: title, a refresh button, then error, loading or content. */
function RefreshCard(props: { title: string; testId: string; onRefresh: () => void; error: unknown; loading: boolean; children: ReactNode }) {
  const { t } = useApp();
  return (
    <div className="card" data-testid={props.testId}>
      <div className="card-head">
        <h2>{props.title}</h2>
        <button type="button" className="btn small ghost" onClick={props.onRefresh}>
          <Icon name="refresh" size={16} />
          {t('refresh')}
        </button>
      </div>
      {props.error !== null ? (
        <ErrorBlock error={props.error} onRetry={props.onRefresh} />
      ) : props.loading ? (
        <div className="boot">{t('loading')}</div>
      ) : (
        props.children
      )}
    </div>
  );
}
