// Test helpers for snapshots: a fake Chromium profile with session folders, and a service on a
// temp data dir with the local store.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { profileDirOf } from '../../bridge/engine/profile.js';
import { AccountBook } from '../../bridge/snapshots/accounts.js';
import { SnapshotService, type SnapshotEvents } from '../../bridge/snapshots/service.js';
import { LocalSnapshotStore } from '../../bridge/snapshots/stores/local.js';
import type { SnapshotStore } from '../../bridge/snapshots/types.js';
import { tempDir } from '../helpers/bridge.js';

export const IDB = 'Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb';
export const LS = 'Default/Local Storage/leveldb';

/** A profile that looks paired: LevelDB-like files of `idbBytes` random bytes, plus LOCK files. */
export function fakeProfile(dir: string, opts: { idbBytes?: number; marker?: string; withIdb?: boolean } = {}): void {
  const idbBytes = opts.idbBytes ?? 16 * 1024;
  if (opts.withIdb !== false) {
    fs.mkdirSync(path.join(dir, IDB), { recursive: true });
    fs.writeFileSync(path.join(dir, IDB, 'CURRENT'), 'MANIFEST-000001\n');
    fs.writeFileSync(path.join(dir, IDB, '000003.log'), randomBytes(idbBytes));
    fs.writeFileSync(path.join(dir, IDB, 'marker'), opts.marker ?? 'account-a');
    fs.writeFileSync(path.join(dir, IDB, 'LOCK'), '');
  }
  fs.mkdirSync(path.join(dir, LS), { recursive: true });
  fs.writeFileSync(path.join(dir, LS, '000005.ldb'), randomBytes(512));
  fs.writeFileSync(path.join(dir, LS, 'LOCK'), '');
  // Not session data: must stay out of the snapshot.
  fs.mkdirSync(path.join(dir, 'Default', 'Cache'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Default', 'Cache', 'data_0'), randomBytes(1024));
}

export const silent = pino({ level: 'silent' });

export interface Kit {
  dataDir: string;
  key: Buffer;
  store: SnapshotStore;
  accounts: AccountBook;
  service: SnapshotService;
  profile(slot: number): string;
}

export function makeKit(opts: { key?: Buffer; store?: SnapshotStore; dataDir?: string; keep?: number; events?: SnapshotEvents } = {}): Kit {
  const dataDir = opts.dataDir ?? tempDir('wab-snap-');
  const key = opts.key ?? randomBytes(32);
  const store = opts.store ?? new LocalSnapshotStore(path.join(dataDir, 'snapshots'));
  const accounts = new AccountBook(dataDir);
  const service = new SnapshotService({
    key,
    store,
    accounts,
    profileDirOf: (slot) => profileDirOf(dataDir, slot),
    scratchRoot: path.join(dataDir, 'tmp'),
    keep: opts.keep ?? 3,
    logger: silent,
    events: opts.events,
  });
  return { dataDir, key, store, accounts, service, profile: (slot) => profileDirOf(dataDir, slot) };
}
