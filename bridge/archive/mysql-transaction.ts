// One MySQL/MariaDB transaction on one pooled connection: all of `work` is committed or none of it.
import type { Pool, PoolConnection } from 'mysql2/promise';

export async function inTransaction<T>(pool: Pool, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const result = await work(conn);
    await conn.commit();
    return result;
  } catch (err) {
    // The connection may be gone too; the original error is the one worth reporting.
    await conn.rollback().catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}
