// WA_BRIDGE_SESSION_STORE → a SnapshotStore.
import path from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, type BridgeConfig } from '../../config.js';
import type { SnapshotStore } from '../types.js';
import { LocalSnapshotStore } from './local.js';

export async function createSnapshotStore(config: BridgeConfig, _logger: Logger): Promise<SnapshotStore> {
  if (config.sessionStore === 'local') return new LocalSnapshotStore(path.join(config.dataDir, 'snapshots'));
  throw new ConfigError(`WA_BRIDGE_SESSION_STORE: ${config.sessionStore} is not supported yet`);
}
