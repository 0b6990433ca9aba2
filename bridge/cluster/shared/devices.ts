// Paired devices in the cluster's shared database: a token created on one node is known to all.
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { DeviceRepo, DeviceRow } from '../../auth/tokens.js';

/** Last-seen is bookkeeping: written at most this often per device and node, not on every request. */
const TOUCH_EVERY_MS = 30_000;

const toRow = (r: RowDataPacket): DeviceRow => ({
  id: r.id,
  name: r.name,
  token_hash: r.token_hash,
  created_at: Number(r.created_at),
  last_seen_at: r.last_seen_at === null ? null : Number(r.last_seen_at),
  slots: r.slots,
  role: r.role,
});

export class MysqlDeviceRepo implements DeviceRepo {
  private readonly touched = new Map<string, number>();

  constructor(private readonly pool: Pool) {}

  async byHash(hash: string) {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT * FROM shared_devices WHERE token_hash = ?', [hash]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async byId(id: string) {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT * FROM shared_devices WHERE id = ?', [id]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async touch(id: string, now: number) {
    const last = this.touched.get(id);
    if (last !== undefined && now >= last && now - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    await this.pool.query('UPDATE shared_devices SET last_seen_at = ? WHERE id = ?', [now, id]);
  }

  async insert(r: DeviceRow) {
    await this.pool.query('INSERT INTO shared_devices (id, name, token_hash, created_at, slots, role) VALUES (?, ?, ?, ?, ?, ?)', [
      r.id,
      r.name,
      r.token_hash,
      r.created_at,
      r.slots,
      r.role,
    ]);
  }

  async list() {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT * FROM shared_devices ORDER BY created_at, id');
    return rows.map(toRow);
  }

  async remove(id: string) {
    this.touched.delete(id);
    const [res] = await this.pool.query<ResultSetHeader>('DELETE FROM shared_devices WHERE id = ?', [id]);
    return res.affectedRows > 0;
  }
}
