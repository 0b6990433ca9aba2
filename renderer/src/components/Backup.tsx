// Session snapshots and whole-bridge backups in the admin app (issue 12): a slot card's last
// backup with "Back up now", and the Settings card with the store's status and the download.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useApp } from '../state/app.js';
import { formatDateTime, formatDay } from '../lib/format.js';
import { Icon } from './Icon.js';
import { RestoreBackup } from './RestoreBackup.js';

interface SnapshotRow {
  id: string;
  createdAt: number;
  bytes: number;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** One line on a slot card: when its session was last backed up, and a button to do it now. */
export function SlotBackup({ slot, ready }: { slot: number; ready: boolean }) {
  const { api, t, lang } = useApp();
  const [newest, setNewest] = useState<SnapshotRow | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.get<{ snapshots: SnapshotRow[] }>(`/api/slots/${slot}/snapshots`).then(
      (r) => setNewest(r.snapshots[0] ?? null),
      (e: unknown) => setError(messageOf(e)),
    );
  }, [api, slot]);
  useEffect(load, [load, ready]);

  const backUp = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ snapshot: SnapshotRow }>(`/api/slots/${slot}/snapshot`);
      setNewest(r.snapshot);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="slot-backup fine" data-testid="slot-backup">
      <span title={newest ? formatDateTime(newest.createdAt, lang) : undefined} data-testid="slot-backup-last">
        {newest ? t('backupLast', { time: formatDay(newest.createdAt, lang) }) : newest === null ? t('backupNone') : ''}
      </span>
      {ready && (
        <button type="button" className="btn small ghost" onClick={() => void backUp()} disabled={busy} data-testid="slot-backup-now">
          <Icon name="database" size={14} />
          {busy ? t('backupTaking') : t('backupNow')}
        </button>
      )}
      {error && <span className="err">{error}</span>}
    </div>
  );
}

interface StoreHealth {
  store: string;
  ok: boolean;
  error: string | null;
}

/** Settings: where sessions are stored and whether that works; download a whole-bridge backup. */
export function BackupCard() {
  const { api, t } = useApp();
  const [store, setStore] = useState<StoreHealth | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<{ snapshots?: StoreHealth }>('/api/health').then(
      (h) => setStore(h.snapshots ?? null),
      (e: unknown) => setError(messageOf(e)),
    );
  }, [api]);

  const download = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const blob = await api.download('/api/backup', { passphrase });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `wa-bridge-backup-${new Date().toISOString().slice(0, 10)}.wabackup`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setPassphrase('');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card" data-testid="backup-card">
      <div className="card-head">
        <h2>{t('backupTitle')}</h2>
      </div>
      {store && (
        <p className={store.ok ? 'fine' : 'fine err'} data-testid="backup-store">
          {t('backupStore', { store: store.store })} · {store.ok ? t('backupStoreOk') : t('backupStoreBad', { error: store.error ?? '' })}
        </p>
      )}
      <p className="fine">{t('backupHint')}</p>
      <form onSubmit={(e) => void download(e)} className="backup-form">
        <label>
          {t('backupPassphrase')}
          <input type="password" autoComplete="new-password" minLength={8} required value={passphrase} onChange={(e) => setPassphrase(e.target.value)} data-testid="backup-passphrase" />
        </label>
        <button type="submit" className="btn primary" disabled={busy || passphrase.length < 8} data-testid="backup-download">
          <Icon name="database" size={16} />
          {busy ? t('backupTaking') : t('backupDownload')}
        </button>
      </form>
      {error && <p className="err">{error}</p>}
      <RestoreBackup />
      <p className="fine">{t('backupRestoreHint')}</p>
    </div>
  );
}
