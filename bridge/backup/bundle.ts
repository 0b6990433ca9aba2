// Whole-bridge backup and restore (seed 002): one passphrase-encrypted file with the settings,
// the bridge's local state (bridge.db: devices and their hashed tokens, outbox, slot wishes, FCM
// tokens), the admin token, the session key, every slot's newest valid snapshot and, when the
// archive is SQLite, the archive. SQLite files are copied with SQLite's online backup API, so
// a running bridge need not stop.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import * as tar from 'tar';
import { SQLITE_FILE } from '../archive/index.js';
import { ADMIN_TOKEN_FILE } from '../auth/tokens.js';
import { SETTINGS_FILE, type BridgeConfig } from '../config.js';
import { ACCOUNTS_FILE } from '../snapshots/accounts.js';
import { openSnapshot } from '../snapshots/format.js';
import { isSnapshotId, metaSchema } from '../snapshots/ids.js';
import { KEY_FILE, keyId, loadSessionKey } from '../snapshots/key.js';
import { createSnapshotStore } from '../snapshots/stores/index.js';
import type { SnapshotMeta } from '../snapshots/types.js';
import { BackupError, MIN_PASSPHRASE, readEncrypted, writeEncrypted } from './crypto.js';

export { BackupError } from './crypto.js';

export const STATE_FILE = 'bridge.db';
export const MANIFEST = 'manifest.json';
export const PLAIN_FILES = [SETTINGS_FILE, ADMIN_TOKEN_FILE, ACCOUNTS_FILE] as const;

export interface BackupManifest {
  format: 1;
  createdAt: number;
  slots: { slot: number; snapshotId: string; wid: string; createdAt: number; bytes: number }[];
  /** Slots whose snapshots could not be read with the session key, and why. */
  slotsWithout: { slot: number; reason: string }[];
  archive: 'sqlite' | 'not included (MySQL archive)';
  devices: number;
  outbox: number;
  settings: boolean;
  /** Fingerprint of the session key inside (never the key). */
  sessionKeyId: string;
}

function scratch(dataDir: string, label: string): string {
  const dir = path.join(dataDir, 'tmp', `${label}-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

async function sqliteCopy(source: string, target: string): Promise<void> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
}

function count(dbFile: string, table: string): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

/** The newest snapshot of each slot that opens with the key, written under `<dir>/snapshots/`. */
async function collectSnapshots(config: BridgeConfig, key: Buffer, logger: Logger, dir: string) {
  const store = await createSnapshotStore(config, logger);
  const slots: BackupManifest['slots'] = [];
  const slotsWithout: BackupManifest['slotsWithout'] = [];
  try {
    for (let slot = 1; slot <= config.slots; slot++) {
      let list: SnapshotMeta[];
      try {
        list = await store.list(slot);
      } catch (err) {
        throw new BackupError(`the ${store.kind} snapshot store could not be read: ${(err as Error).message}`);
      }
      let reason = 'no snapshot';
      for (const meta of list) {
        try {
          const blob = await store.get(slot, meta.id);
          if (!blob) continue;
          openSnapshot(key, blob);
          const target = path.join(dir, 'snapshots', `slot-${slot}`);
          fs.mkdirSync(target, { recursive: true });
          fs.writeFileSync(path.join(target, `${meta.id}.snap`), blob);
          fs.writeFileSync(path.join(target, `${meta.id}.json`), JSON.stringify(meta));
          slots.push({ slot, snapshotId: meta.id, wid: meta.wid, createdAt: meta.createdAt, bytes: meta.bytes });
          reason = '';
          break;
        } catch (err) {
          reason = (err as Error).message;
        }
      }
      if (reason) slotsWithout.push({ slot, reason });
    }
  } finally {
    await store.close();
  }
  return { slots, slotsWithout };
}

export async function createBackup(config: BridgeConfig, file: string, passphrase: string, logger: Logger): Promise<BackupManifest> {
  if (passphrase.length < MIN_PASSPHRASE) throw new BackupError(`the passphrase must have at least ${MIN_PASSPHRASE} characters`);
  const stateFile = path.join(config.dataDir, STATE_FILE);
  if (!fs.existsSync(stateFile)) throw new BackupError(`${config.dataDir} holds no bridge (no ${STATE_FILE})`);
  const key = loadSessionKey(config.dataDir, config.sessionKey);
  const staging = scratch(config.dataDir, 'backup');
  try {
    for (const name of PLAIN_FILES) {
      const source = path.join(config.dataDir, name);
      if (fs.existsSync(source)) fs.copyFileSync(source, path.join(staging, name));
    }
    fs.writeFileSync(path.join(staging, KEY_FILE), `${key.toString('base64')}\n`, { mode: 0o600 });
    await sqliteCopy(stateFile, path.join(staging, STATE_FILE));
    const archiveFile = path.join(config.dataDir, SQLITE_FILE);
    const sqliteArchive = !config.dbUrl && fs.existsSync(archiveFile);
    if (sqliteArchive) await sqliteCopy(archiveFile, path.join(staging, SQLITE_FILE));
    const { slots, slotsWithout } = await collectSnapshots(config, key, logger, staging);
    const manifest: BackupManifest = {
      format: 1,
      createdAt: Date.now(),
      slots,
      slotsWithout,
      archive: sqliteArchive ? 'sqlite' : 'not included (MySQL archive)',
      devices: count(path.join(staging, STATE_FILE), 'devices'),
      outbox: count(path.join(staging, STATE_FILE), "outbox WHERE status = 'pending'"),
      settings: fs.existsSync(path.join(staging, SETTINGS_FILE)),
      sessionKeyId: keyId(key),
    };
    fs.writeFileSync(path.join(staging, MANIFEST), JSON.stringify(manifest, null, 2));
    // Opening the copies for the counts may leave SQLite side files; the copies are complete without them.
    const entries = fs.readdirSync(staging).filter((name) => !/-(wal|shm)$/.test(name)).sort();
    await writeEncrypted(file, passphrase, tar.c({ gzip: true, cwd: staging, portable: true }, entries) as AsyncIterable<Buffer>);
    logger.info({ file, slots: slots.length, archive: manifest.archive }, 'backup written');
    return manifest;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Only the names a backup holds, as plain files and folders. */
function allowedEntry(entryPath: string, type: string): boolean {
  if (type !== 'File' && type !== 'OldFile' && type !== 'Directory') return false;
  const clean = entryPath.replace(/^\.\//, '').replace(/\/+$/, '');
  if ([MANIFEST, STATE_FILE, SQLITE_FILE, KEY_FILE, ...PLAIN_FILES].includes(clean)) return type !== 'Directory';
  if (clean === 'snapshots' || /^snapshots\/slot-\d{1,2}$/.test(clean)) return type === 'Directory';
  const m = /^snapshots\/slot-\d{1,2}\/([^/]+)\.(snap|json)$/.exec(clean);
  return m !== null && isSnapshotId(m[1]) && type !== 'Directory';
}

/** Decrypt and unpack into a scratch folder; throws BackupError for a wrong passphrase or damage. */
export async function unpack(config: BridgeConfig, file: string, passphrase: string): Promise<{ dir: string; manifest: BackupManifest }> {
  if (!fs.existsSync(file)) throw new BackupError(`${file}: no such file`);
  const { stream, decipher } = await readEncrypted(file, passphrase);
  const dir = scratch(config.dataDir, 'restore');
  const rejected: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const unpacker = tar.x({
        cwd: dir,
        strict: true,
        filter: (p, entry) => {
          const ok = allowedEntry(p, 'type' in entry ? String(entry.type) : 'File');
          if (!ok) rejected.push(p);
          return ok;
        },
      });
      const fail = (err: unknown) => reject(err);
      stream.on('error', fail);
      decipher.on('error', fail);
      unpacker.on('error', fail);
      unpacker.on('finish', () => resolve());
      stream.pipe(decipher).pipe(unpacker);
    });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    if (err instanceof BackupError) throw err;
    throw new BackupError('wrong passphrase, or the backup file is damaged');
  }
  if (rejected.length > 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new BackupError(`the backup holds unexpected entries (${rejected.slice(0, 3).join(', ')})`);
  }
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as BackupManifest;
    if (manifest.format !== 1 || !fs.existsSync(path.join(dir, STATE_FILE))) throw new Error('incomplete');
    return { dir, manifest };
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new BackupError('the backup is incomplete (no manifest or state)');
  }
}

/** What a backup file holds, without applying it. */
export async function inspectBackup(config: BridgeConfig, file: string, passphrase: string): Promise<BackupManifest> {
  const { dir, manifest } = await unpack(config, file, passphrase);
  fs.rmSync(dir, { recursive: true, force: true });
  return manifest;
}

export interface RestoreReport {
  manifest: BackupManifest;
  restored: string[];
  warnings: string[];
}

/**
 * Apply a backup to `config.dataDir` (the bridge must not be running there). A data dir that
 * already holds a bridge is refused unless `force`.
 */
export async function restoreBackup(config: BridgeConfig, file: string, passphrase: string, opts: { force?: boolean; logger: Logger }): Promise<RestoreReport> {
  const stateFile = path.join(config.dataDir, STATE_FILE);
  if (fs.existsSync(stateFile) && !opts.force) {
    throw new BackupError(`${config.dataDir} already holds a bridge; restore into a fresh data dir, or pass --force to replace it`);
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const { dir, manifest } = await unpack(config, file, passphrase);
  const restored: string[] = [];
  const warnings: string[] = [];
  try {
    const place = (name: string) => {
      const source = path.join(dir, name);
      if (!fs.existsSync(source)) return;
      const target = path.join(config.dataDir, name);
      for (const suffix of ['-wal', '-shm']) fs.rmSync(`${target}${suffix}`, { force: true });
      fs.copyFileSync(source, `${target}.restoring`);
      fs.renameSync(`${target}.restoring`, target);
      restored.push(name);
    };
    place(STATE_FILE);
    for (const name of PLAIN_FILES) place(name);
    if (config.sessionKey) {
      const inside = loadSessionKey(dir);
      if (keyId(inside) !== keyId(loadSessionKey(config.dataDir, config.sessionKey))) {
        warnings.push('WA_BRIDGE_SESSION_KEY differs from the key in the backup: its snapshots will be refused until the key matches');
      }
    } else place(KEY_FILE);
    if (fs.existsSync(path.join(dir, SQLITE_FILE))) {
      if (config.dbUrl) warnings.push('the backup holds a SQLite archive, but this bridge uses MySQL: the archive was not restored');
      else place(SQLITE_FILE);
    }
    const store = await createSnapshotStore(config, opts.logger);
    try {
      for (const entry of manifest.slots) {
        const folder = path.join(dir, 'snapshots', `slot-${entry.slot}`);
        const meta = metaSchema.parse(JSON.parse(fs.readFileSync(path.join(folder, `${entry.snapshotId}.json`), 'utf8')));
        const existing = await store.list(entry.slot);
        if (!existing.some((m) => m.id === meta.id)) await store.put(meta, fs.readFileSync(path.join(folder, `${meta.id}.snap`)));
        restored.push(`snapshot of slot ${entry.slot}`);
      }
    } finally {
      await store.close();
    }
    opts.logger.info({ file, restored }, 'backup restored');
    return { manifest, restored, warnings };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
