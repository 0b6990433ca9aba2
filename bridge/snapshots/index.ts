// Builds the snapshot service the configuration asks for: key, store, accounts, metrics.
import path from 'node:path';
import type { Logger } from 'pino';
import type { BridgeConfig } from '../config.js';
import { profileDirOf } from '../engine/profile.js';
import type { Metrics } from '../metrics.js';
import { AccountBook } from './accounts.js';
import { loadSessionKey } from './key.js';
import { SnapshotService } from './service.js';
import { createSnapshotStore } from './stores/index.js';

export { SnapshotError } from './errors.js';
export { SnapshotService } from './service.js';
export { withSnapshots } from './schedule.js';
export type * from './types.js';

export async function createSnapshotService(config: BridgeConfig, logger: Logger, metrics: Metrics): Promise<SnapshotService> {
  const key = loadSessionKey(config.dataDir, config.sessionKey);
  const store = await createSnapshotStore(config, logger);
  const log = logger.child({ part: 'snapshots' });
  return new SnapshotService({
    key,
    store,
    accounts: new AccountBook(config.dataDir),
    profileDirOf: (slot) => profileDirOf(config.dataDir, slot),
    scratchRoot: path.join(config.dataDir, 'tmp'),
    keep: config.snapshotKeep,
    logger: log,
    events: {
      onTaken: (slot, meta) => {
        metrics.snapshotsMade.inc({ slot: String(slot) });
        metrics.snapshotBytes.set({ slot: String(slot) }, meta.bytes);
      },
      onTakeFailed: (slot, err) => metrics.snapshotsFailed.inc({ slot: String(slot), reason: err.code }),
      onRestored: (slot) => metrics.snapshotRestores.inc({ slot: String(slot), outcome: 'restored' }),
      onRestoreFailed: (slot, err) => metrics.snapshotRestores.inc({ slot: String(slot), outcome: err.code }),
    },
  });
}
