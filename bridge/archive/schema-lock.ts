// The migration lock shared by every bridge on one MySQL/MariaDB database: one row with a holder
// and an expiry on the database's clock (UTC, so nodes with other time zones agree). Not GET_LOCK: Galera refuses it, and a lock tied to a
// connection moves on every network blip (shared/HA-DESIGN.md §4.4). A holder that dies leaves the
// row to expire; the holder renews it while it works and stops when a renew finds it taken.
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

export const SCHEMA_LOCK_TABLE = `CREATE TABLE IF NOT EXISTS schema_lock (
  name VARCHAR(64) NOT NULL PRIMARY KEY, holder VARCHAR(255) NOT NULL, expires_at DATETIME(3) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4`;

const NAME = 'archive-migrations';

/** Galera's answer to two nodes writing the lock row at once: the loser simply did not get it. */
const LOST_RACE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

export class SchemaLock {
  constructor(
    private readonly pool: () => Pool,
    readonly holder: string,
    readonly ttlMs = 30_000,
  ) {}

  /** Take the lock if it is free, expired or already ours (then its expiry moves on). */
  async acquire(): Promise<boolean> {
    try {
      // MySQL applies the assignments left to right: once `holder` is ours, the expiry follows.
      await this.pool().query(
        `INSERT INTO schema_lock (name, holder, expires_at) VALUES (?, ?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND)
         ON DUPLICATE KEY UPDATE
           holder = IF(expires_at < UTC_TIMESTAMP(3) OR holder = VALUES(holder), VALUES(holder), holder),
           expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)`,
        [NAME, this.holder, this.ttlMs * 1000],
      );
    } catch (err) {
      if (LOST_RACE.has((err as { code?: string }).code ?? '')) return false;
      throw err;
    }
    return (await this.currentHolder()) === this.holder;
  }

  /** Extend the lease; false when another bridge holds it now (this one must stop). */
  async renew(): Promise<boolean> {
    const [res] = await this.pool().query<ResultSetHeader>(
      'UPDATE schema_lock SET expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE name = ? AND holder = ?',
      [this.ttlMs * 1000, NAME, this.holder],
    );
    return res.affectedRows === 1;
  }

  async release(): Promise<void> {
    await this.pool().query('DELETE FROM schema_lock WHERE name = ? AND holder = ?', [NAME, this.holder]);
  }

  /** Who holds an unexpired lock (null: nobody). */
  async currentHolder(): Promise<string | null> {
    const [rows] = await this.pool().query<RowDataPacket[]>('SELECT holder FROM schema_lock WHERE name = ? AND expires_at >= UTC_TIMESTAMP(3)', [NAME]);
    return rows[0] ? String(rows[0].holder) : null;
  }
}
