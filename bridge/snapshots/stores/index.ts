// WA_BRIDGE_SESSION_STORE → a SnapshotStore.
import path from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, type BridgeConfig } from '../../config.js';
import type { SnapshotStore } from '../types.js';
import { HttpSnapshotStore } from './http.js';
import { LocalSnapshotStore } from './local.js';

export async function createSnapshotStore(config: BridgeConfig, _logger: Logger): Promise<SnapshotStore> {
  if (config.sessionStore === 'local') return new LocalSnapshotStore(path.join(config.dataDir, 'snapshots'));
  if (/^https?:\/\//.test(config.sessionStore)) {
    if (!config.sessionStoreToken) throw new ConfigError('WA_BRIDGE_SESSION_STORE_TOKEN: required with an http(s) session store (its GLOBAL_AUTH_TOKEN)');
    return new HttpSnapshotStore(config.sessionStore, config.sessionStoreToken);
  }
  throw new ConfigError(`WA_BRIDGE_SESSION_STORE: ${config.sessionStore} is not supported yet`);
}
