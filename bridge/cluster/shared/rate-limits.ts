// Cluster mode: the send-limit counters (slots/rate-limit.ts) in the shared database, so a slot's
// counts stay with it when it moves to another node (planned move, failover) — a phone cannot
// get a fresh allowance by having the slot moved. Every send is counted by the node running the
// slot (forwarding sends it there), in one table all nodes read.
//
// Windows are timed by the database's clock, never a node's: with each node's own clock (as
// rate-limiter-flexible's MySQL limiter does) a node running behind would see another node's
// window already over and start a fresh one, and a node running ahead would make windows last
// too long. Rows keep rate-limiter-flexible's layout (`<prefix>:<key>`, points, expire in epoch
// ms), so nodes of the previous release share the same counters during a rolling upgrade.
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Counter, LimitCounters } from '../../slots/rate-limit.js';

export const SHARED_RATE_LIMIT_TABLE = 'shared_rate_limits';

/** Now, in epoch milliseconds, by the database's clock (constant within one statement). */
const DB_NOW_MS = 'CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS UNSIGNED)';

/** Count `delta` points on `key` in its window (a new window once the old one is over); the row afterwards and the database's now. */
const UPSERT = `INSERT INTO ${SHARED_RATE_LIMIT_TABLE} (\`key\`, points, expire) VALUES (?, ?, ${DB_NOW_MS} + ?)
  ON DUPLICATE KEY UPDATE
    points = IF(expire <= ${DB_NOW_MS}, VALUES(points), points + VALUES(points)),
    expire = IF(expire <= ${DB_NOW_MS}, VALUES(expire), expire)`;
const READ = `SELECT points, expire, ${DB_NOW_MS} AS now FROM ${SHARED_RATE_LIMIT_TABLE} WHERE \`key\` = ?`;

/** One limit (`points` per `durationSeconds`) on the shared table. */
export class MysqlCounter implements Counter {
  constructor(
    private readonly pool: Pool,
    private readonly keyPrefix: string,
    private readonly points: number,
    private readonly durationSeconds: number,
  ) {}

  /** Count points; rejects with a RateLimiterRes (as rate-limiter-flexible does) past the limit. */
  async consume(key: string | number, points = 1): Promise<RateLimiterRes> {
    const res = await this.#add(key, points);
    if (res.consumedPoints > this.points) throw res;
    return res;
  }

  /** Give points back within the current window. */
  async reward(key: string | number, points = 1): Promise<RateLimiterRes> {
    return this.#add(key, -points);
  }

  async #add(key: string | number, delta: number): Promise<RateLimiterRes> {
    const rlKey = `${this.keyPrefix}:${key}`;
    const conn = await this.pool.getConnection();
    try {
      // One transaction: the upsert's row lock keeps other nodes out until the count is read back.
      await conn.beginTransaction();
      await conn.query(UPSERT, [rlKey, delta, this.durationSeconds * 1000]);
      const [rows] = await conn.query<RowDataPacket[]>(READ, [rlKey]);
      await conn.commit();
      const row = rows[0]!;
      const consumed = Number(row.points);
      const msBeforeNext = row.expire === null ? -1 : Math.max(Number(row.expire) - Number(row.now), 0);
      return new RateLimiterRes(Math.max(this.points - consumed, 0), msBeforeNext, consumed, consumed === delta);
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  }
}

export function sharedCounters(pool: Pool, onError: (err: unknown) => void): LimitCounters {
  return {
    counter: (keyPrefix, points, duration) => new MysqlCounter(pool, keyPrefix, points, duration),
    sweep: () => void pool.query(`DELETE FROM ${SHARED_RATE_LIMIT_TABLE} WHERE expire < ${DB_NOW_MS}`).catch(onError),
  };
}
