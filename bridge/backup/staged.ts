// Restore from the admin app (Settings → Backup → "Restore from file"). A running bridge cannot
// swap its own state database and archive under itself, so a restore goes in three steps:
//   1. open: the uploaded file is decrypted and checked into a scratch folder, and what it holds
//      is shown (nothing applied yet; an opened file expires after OPEN_TTL_MS);
//   2. apply (the owner confirmed): the slots' snapshots go into the snapshot store at once,
//      re-sealed with this bridge's session key (the desktop app keeps its own key, sealed by the
//      OS), the settings file is written, and the state database, slot accounts and SQLite
//      archive are staged in `<data dir>/restore-pending/`;
//   3. the next start places the staged files before anything opens them.
// The admin token is never taken from the file: the person restoring stays signed in, and paired
// phones keep working because their hashed tokens are in the restored state database.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { SQLITE_FILE } from '../archive/index.js';
import { SETTINGS_FILE, type BridgeConfig } from '../config.js';
import { ACCOUNTS_FILE } from '../snapshots/accounts.js';
import { openSnapshot, sealSnapshot } from '../snapshots/format.js';
import { metaSchema } from '../snapshots/ids.js';
import { loadSessionKey } from '../snapshots/key.js';
import type { SnapshotStore } from '../snapshots/types.js';
import { BackupError, type BackupManifest, STATE_FILE, unpack } from './bundle.js';

export const PENDING_DIR = 'restore-pending';
/** Files placed at the next start, in this order (the state database first). */
const STAGED_FILES = [STATE_FILE, ACCOUNTS_FILE, SQLITE_FILE] as const;
const OPEN_TTL_MS = 15 * 60 * 1000;

export interface RestorePreview {
  restoreId: string;
  manifest: BackupManifest;
  /** Bytes of the uploaded (encrypted) file. */
  fileBytes: number;
  /** Bytes of the SQLite archive inside, or null when there is none. */
  archiveBytes: number | null;
  /** Bytes of the state database inside (devices, outbox, slot wishes, push registrations). */
  stateBytes: number;
  expiresAt: number;
}

export interface RestoreApplied {
  /** What was applied now or staged for the next start. */
  restored: string[];
  warnings: string[];
  restartRequired: true;
}

interface Opened {
  dir: string;
  manifest: BackupManifest;
  timer: NodeJS.Timeout;
}

const sizeOf = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : null);

export class RestoreFromFile {
  readonly #opened = new Map<string, Opened>();

  constructor(
    private readonly config: BridgeConfig,
    private readonly logger: Logger,
  ) {}

  /** Decrypt and check `file` (the upload; it is deleted afterwards); nothing is applied. */
  async open(file: string, passphrase: string): Promise<RestorePreview> {
    const fileBytes = fs.statSync(file).size;
    let dir: string;
    let manifest: BackupManifest;
    try {
      ({ dir, manifest } = await unpack(this.config, file, passphrase));
    } finally {
      fs.rmSync(file, { force: true });
    }
    const restoreId = randomBytes(12).toString('hex');
    const timer = setTimeout(() => this.#forget(restoreId), OPEN_TTL_MS);
    timer.unref();
    this.#opened.set(restoreId, { dir, manifest, timer });
    return {
      restoreId,
      manifest,
      fileBytes,
      archiveBytes: sizeOf(path.join(dir, SQLITE_FILE)),
      stateBytes: sizeOf(path.join(dir, STATE_FILE)) ?? 0,
      expiresAt: Date.now() + OPEN_TTL_MS,
    };
  }

  has(restoreId: string): boolean {
    return this.#opened.has(restoreId);
  }

  /** Apply an opened backup: snapshots and settings now, the databases at the next start. */
  async apply(restoreId: string, store: SnapshotStore): Promise<RestoreApplied> {
    const opened = this.#opened.get(restoreId);
    if (!opened) throw new BackupError('no opened backup with that id (open the file again; an opened file is kept 15 minutes)');
    this.#opened.delete(restoreId);
    clearTimeout(opened.timer);
    const { dir, manifest } = opened;
    const restored: string[] = [];
    const warnings: string[] = [];
    try {
      const theirKey = loadSessionKey(dir);
      const ourKey = loadSessionKey(this.config.dataDir, this.config.sessionKey);
      for (const entry of manifest.slots) {
        const folder = path.join(dir, 'snapshots', `slot-${entry.slot}`);
        try {
          const meta = metaSchema.parse(JSON.parse(fs.readFileSync(path.join(folder, `${entry.snapshotId}.json`), 'utf8')));
          const { archive, header } = openSnapshot(theirKey, fs.readFileSync(path.join(folder, `${meta.id}.snap`)));
          const { blob } = sealSnapshot(ourKey, archive, { slot: header.slot, wid: header.wid, createdAt: header.createdAt, reason: header.reason });
          if (!(await store.list(entry.slot)).some((m) => m.id === meta.id)) await store.put({ ...meta, bytes: blob.length }, blob);
          restored.push(`snapshot of slot ${entry.slot}`);
        } catch (err) {
          warnings.push(`slot ${entry.slot}: its snapshot was not restored (${(err as Error).message})`);
        }
      }
      const settings = path.join(dir, SETTINGS_FILE);
      if (fs.existsSync(settings)) {
        const target = path.join(this.config.dataDir, SETTINGS_FILE);
        fs.copyFileSync(settings, `${target}.restoring`);
        fs.renameSync(`${target}.restoring`, target);
        restored.push(SETTINGS_FILE);
      }
      const pending = path.join(this.config.dataDir, PENDING_DIR);
      fs.rmSync(pending, { recursive: true, force: true });
      fs.mkdirSync(pending, { mode: 0o700 });
      for (const name of STAGED_FILES) {
        if (!fs.existsSync(path.join(dir, name))) continue;
        if (name === SQLITE_FILE && this.config.dbUrl) {
          warnings.push('the backup holds a SQLite archive, but this bridge uses MySQL: the archive was not restored');
          continue;
        }
        fs.renameSync(path.join(dir, name), path.join(pending, name));
        restored.push(`${name} (at the next start)`);
      }
      this.logger.info({ restored, warnings }, 'backup applied from the admin app; the rest follows at the next start');
      return { restored, warnings, restartRequired: true };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  close(): void {
    for (const id of [...this.#opened.keys()]) this.#forget(id);
  }

  #forget(restoreId: string): void {
    const opened = this.#opened.get(restoreId);
    if (!opened) return;
    clearTimeout(opened.timer);
    this.#opened.delete(restoreId);
    fs.rmSync(opened.dir, { recursive: true, force: true });
  }
}

/** Whether a restore waits for the next start (health shows it). */
export function restorePending(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, PENDING_DIR));
}

/** Prefix of uploaded backup files in `<data dir>/tmp` (see the inspect route). */
export const UPLOAD_PREFIX = 'backup-upload-';

/**
 * At start, before the state database and the archive are opened: move staged files into place,
 * and delete backups a previous run opened (decrypted) or received but never applied.
 * Returns what was placed (empty when nothing was staged).
 */
export function placeStagedRestore(dataDir: string): string[] {
  const tmp = path.join(dataDir, 'tmp');
  if (fs.existsSync(tmp)) {
    for (const name of fs.readdirSync(tmp)) {
      if (name.startsWith('restore-') || name.startsWith(UPLOAD_PREFIX)) fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
    }
  }
  const pending = path.join(dataDir, PENDING_DIR);
  if (!fs.existsSync(pending)) return [];
  const placed: string[] = [];
  for (const name of STAGED_FILES) {
    const source = path.join(pending, name);
    if (!fs.existsSync(source)) continue;
    const target = path.join(dataDir, name);
    // The old database's journal must not be replayed onto the restored file.
    for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(`${target}${suffix}`, { force: true });
    fs.renameSync(source, target);
    placed.push(name);
  }
  fs.rmSync(pending, { recursive: true, force: true });
  return placed;
}
