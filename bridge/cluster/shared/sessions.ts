// Admin-app sign-in sessions in the cluster's shared database: a cookie issued by one node signs
// the browser in on every node, and signing out (or revoking the device) ends it everywhere.
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { SessionRepo, SessionRow } from '../../auth/sessions.js';

const toRow = (r: RowDataPacket): SessionRow => ({
  id_hash: r.id_hash,
  token_hash: r.token_hash,
  device_id: r.device_id,
  created_at: Number(r.created_at),
  expires_at: Number(r.expires_at),
});

export class MysqlSessionRepo implements SessionRepo {
  constructor(private readonly pool: Pool) {}

  async insert(r: SessionRow) {
    await this.pool.query('INSERT INTO shared_sessions (id_hash, token_hash, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
      r.id_hash,
      r.token_hash,
      r.device_id,
      r.created_at,
      r.expires_at,
    ]);
  }

  async byHash(idHash: string) {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT * FROM shared_sessions WHERE id_hash = ?', [idHash]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async remove(idHash: string) {
    const [res] = await this.pool.query<ResultSetHeader>('DELETE FROM shared_sessions WHERE id_hash = ?', [idHash]);
    return res.affectedRows > 0;
  }

  async removeForDevice(deviceId: string) {
    const [res] = await this.pool.query<ResultSetHeader>('DELETE FROM shared_sessions WHERE device_id = ?', [deviceId]);
    return res.affectedRows;
  }

  async removeExpired(now: number) {
    const [res] = await this.pool.query<ResultSetHeader>('DELETE FROM shared_sessions WHERE expires_at <= ?', [now]);
    return res.affectedRows;
  }
}
