// Cluster mode: the send-limit counters (slots/rate-limit.ts) in the shared database, so a slot's
// counts stay with it when it moves to another node (planned move, failover) — a phone cannot
// get a fresh allowance by having the slot moved. Every send is counted by the node running the
// slot (forwarding sends it there), in one table all nodes read.
import type { Pool } from 'mysql2/promise';
import { RateLimiterMySQL } from 'rate-limiter-flexible';
import type { LimitCounters } from '../../slots/rate-limit.js';

export const SHARED_RATE_LIMIT_TABLE = 'shared_rate_limits';

export function sharedCounters(pool: Pool, onError: (err: unknown) => void): LimitCounters {
  // rate-limiter-flexible speaks mysql2's callback API: the promise pool's own core pool.
  const core = (pool as unknown as { pool: { config: { connectionConfig: { database: string } } } }).pool;
  const database = core.config.connectionConfig.database;
  return {
    counter: (keyPrefix, points, duration) =>
      new RateLimiterMySQL({
        storeClient: core,
        storeType: 'pool',
        dbName: database,
        tableName: SHARED_RATE_LIMIT_TABLE,
        tableCreated: true, // made by ensureSharedTables (schema.ts)
        clearExpiredByTimeout: false, // swept by the limiter every 1000 sends
        keyPrefix,
        points,
        duration,
      }),
    sweep: () => void pool.query(`DELETE FROM ${SHARED_RATE_LIMIT_TABLE} WHERE expire < ?`, [Date.now()]).catch(onError),
  };
}
