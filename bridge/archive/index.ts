// The archive's front door: pick the backend from the config, and share the search rules.
import path from 'node:path';
import type { BridgeConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { ArchiveStore } from './types.js';
import { SqliteArchiveStore } from './sqlite.js';

export type { ArchiveStore, ArchiveRow, ArchiveHealth, SearchQuery, PollTally } from './types.js';
export {
  normaliseForSearch,
  searchTokens,
  parseSearchQuery,
  buildFtsQuery,
  buildMysqlBooleanQuery,
  type ParsedQuery,
} from './normalise.js';
export { ArchiveSchemaError } from './migrations.js';
export { SqliteArchiveStore } from './sqlite.js';

export const SQLITE_FILE = 'archive.db';

/** `config.dbUrl` unset → SQLite file `<dataDir>/archive.db`; `mysql://…` → MySQL/MariaDB. */
export function createArchiveStore(config: BridgeConfig, logger: Logger): ArchiveStore {
  const log = logger.child({ part: 'archive' });
  if (config.dbUrl) {
    throw new Error('MySQL archive: not wired yet');
  }
  return new SqliteArchiveStore({ file: path.join(config.dataDir, SQLITE_FILE), logger: log });
}
