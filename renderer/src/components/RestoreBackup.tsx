// Settings → Backup → "Restore from file" (issue 12): pick a backup file and its passphrase, see
// what it holds (the bridge opens and checks it; nothing changes yet), then confirm to apply it.
import { useState, type FormEvent } from 'react';
import { formatBytes, formatDateTime } from '../lib/format.js';
import { useApp } from '../state/app.js';
import { Icon } from './Icon.js';

interface Preview {
  restoreId: string;
  fileBytes: number;
  stateBytes: number;
  archiveBytes: number | null;
  manifest: {
    createdAt: number;
    devices: number;
    outbox: number;
    settings: boolean;
    archive: string;
    slots: { slot: number; wid: string; createdAt: number; bytes: number }[];
    slotsWithout: { slot: number; reason: string }[];
  };
}

interface Applied {
  restored: string[];
  warnings: string[];
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
const account = (wid: string) => `+${wid.replace(/@.*$/, '')}`;

export function RestoreBackup() {
  const { api, t, lang } = useApp();
  const [file, setFile] = useState<File | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [applied, setApplied] = useState<Applied | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const open = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setPreview(null);
    setApplied(null);
    try {
      const form = new FormData();
      form.append('passphrase', passphrase);
      form.append('file', file, file.name);
      setPreview(await api.postForm<Preview>('/api/backup/inspect', form));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const apply = async () => {
    if (!preview) return;
    setBusy(true);
    setError(null);
    try {
      setApplied(await api.post<Applied>('/api/backup/restore', { restoreId: preview.restoreId }));
      setPreview(null);
      setPassphrase('');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const m = preview?.manifest;
  return (
    <section className="restore-backup" data-testid="restore-backup" aria-labelledby="restore-title">
      <h3 id="restore-title">{t('restoreTitle')}</h3>
      <form onSubmit={(e) => void open(e)} className="backup-form">
        <label>
          {t('restoreFile')}
          <input type="file" accept=".wabackup,application/octet-stream" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="restore-file" />
        </label>
        <label>
          {t('backupPassphrase')}
          <input type="password" autoComplete="current-password" minLength={8} required value={passphrase} onChange={(e) => setPassphrase(e.target.value)} data-testid="restore-passphrase" />
        </label>
        <button type="submit" className="btn" disabled={busy || !file || passphrase.length < 8} data-testid="restore-open">
          <Icon name="database" size={16} />
          {busy && !preview ? t('restoreOpening') : t('restoreOpen')}
        </button>
      </form>
      {m && preview && (
        <div className="restore-preview" role="region" aria-label={t('restoreHolds')} data-testid="restore-preview">
          <p>{t('restoreHolds')}</p>
          <ul>
            <li data-testid="restore-made">{t('restoreMade', { time: formatDateTime(m.createdAt, lang) })}</li>
            <li data-testid="restore-devices">{t('restoreDevices', { n: m.devices, outbox: m.outbox })}</li>
            <li>{m.settings ? t('restoreSettingsYes') : t('restoreSettingsNo')}</li>
            <li data-testid="restore-archive">
              {preview.archiveBytes === null ? t('restoreArchiveNone') : t('restoreArchive', { size: formatBytes(preview.archiveBytes) })} · {t('restoreFileSize', { size: formatBytes(preview.fileBytes) })}
            </li>
            {m.slots.map((s) => (
              <li key={s.slot} data-testid={`restore-slot-${s.slot}`}>
                {t('restoreSlot', { slot: s.slot, account: account(s.wid), time: formatDateTime(s.createdAt, lang), size: formatBytes(s.bytes) })}
              </li>
            ))}
            {m.slotsWithout.map((s) => (
              <li key={s.slot} className="fine">
                {t('restoreSlotNone', { slot: s.slot })}
              </li>
            ))}
          </ul>
          <p className="fine">{t('restoreWarning')}</p>
          <div className="row">
            <button type="button" className="btn danger" onClick={() => void apply()} disabled={busy} data-testid="restore-apply">
              {busy ? t('restoreApplying') : t('restoreApply')}
            </button>
            <button type="button" className="btn ghost" onClick={() => setPreview(null)} disabled={busy} data-testid="restore-cancel">
              {t('cancel')}
            </button>
          </div>
        </div>
      )}
      {applied && (
        <div className="restart-banner" role="status" data-testid="restore-done">
          <p>{t('restoreDone')}</p>
          {applied.warnings.map((w) => (
            <p key={w} className="err">
              {w}
            </p>
          ))}
        </div>
      )}
      {error && (
        <p className="err" role="alert" data-testid="restore-error">
          {error}
        </p>
      )}
    </section>
  );
}
