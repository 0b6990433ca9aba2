// The archive's front door: pick the backend from the config, and share the search rules.
import path from 'node:path';
import type { BridgeConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { ArchiveStore } from './types.js';
import { SqliteArchiveStore } from './sqlite.js';
import { MysqlArchiveStore } from './mysql.js';

export type { ArchiveStore, ArchiveRow, ArchiveHealth, SearchQuery, PollTally } from './types.js';
export {
  normaliseForSearch,
  searchTokens,
  parseSearchQuery,
  buildFtsQuery,
  type ParsedQuery,
} from './normalise.js';
export { ArchiveSchemaError } from './migrations.js';
export { SqliteArchiveStore } from './sqlite.js';
export { MysqlArchiveStore } from './mysql.js';
export { DEFAULT_BATCH_WINDOW_MS } from './batcher.js';

export const SQLITE_FILE = 'archive.db';
/** Where MySQL writes wait while the server is unreachable. */
export const SPOOL_FILE = 'archive-spool.jsonl';
/** Where SQLite writes that failed (full disk) wait past the in-memory bound. */
export const RETRY_FILE = 'archive-retry.jsonl';

/** `config.dbUrl` unset → SQLite file `<dataDir>/archive.db`; `mysql://…` → MySQL/MariaDB. */
export function createArchiveStore(config: BridgeConfig, logger: Logger): ArchiveStore {
  const log = logger.child({ part: 'archive' });
  if (config.dbUrl) {
    // The bridge listens while the schema is upgraded (a backfill of 200k rows takes most of a minute).
    return new MysqlArchiveStore({ url: config.dbUrl, logger: log, spoolFile: path.join(config.dataDir, SPOOL_FILE), migrateInBackground: true });
  }
  return new SqliteArchiveStore({ file: path.join(config.dataDir, SQLITE_FILE), logger: log, spoolFile: path.join(config.dataDir, RETRY_FILE) });
}
