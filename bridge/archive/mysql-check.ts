// "Test connection" for a MySQL/MariaDB URL before the owner saves it.
import mysql from 'mysql2/promise';

export async function checkMysqlUrl(url: string, timeoutMs = 5000): Promise<{ ok: true } | { ok: false; error: string }> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ uri: url, connectTimeout: timeoutMs });
    await conn.query('SELECT 1');
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    await conn?.end().catch(() => undefined);
  }
}
