// FCM registrations in the cluster's shared database: a phone registers on one node and is
// pushed by whichever node sees the message. Same rules as the local store (bridge/push/token-store.ts).
import crypto from 'node:crypto';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { inTransaction } from '../../archive/mysql-transaction.js';
import { validateRegistration, type StoredToken, type TokenStore } from '../../push/token-store.js';

const hashOf = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export class MysqlPushRegistrations implements TokenStore {
  constructor(private readonly pool: Pool) {}

  async register(deviceId: string, token: string, platform: string | null, now: number, installationId: string | null = null): Promise<void> {
    validateRegistration(deviceId, token, platform, installationId);
    const inst = installationId ?? '';
    await inTransaction(this.pool, async (c) => {
      // One phone re-paired under a new device id must not get every push twice.
      await c.query('DELETE FROM shared_push_registrations WHERE token_hash = ? AND NOT (device_id = ? AND installation_id = ?)', [hashOf(token), deviceId, inst]);
      await c.query(
        `INSERT INTO shared_push_registrations (device_id, installation_id, token, token_hash, platform, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE token = VALUES(token), token_hash = VALUES(token_hash), platform = VALUES(platform), updated_at = VALUES(updated_at)`,
        [deviceId, inst, token, hashOf(token), platform, now],
      );
    });
  }

  async remove(deviceId: string): Promise<void> {
    await this.pool.query('DELETE FROM shared_push_registrations WHERE device_id = ?', [deviceId]);
  }

  async removeIfCurrent(deviceId: string, token: string): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>('DELETE FROM shared_push_registrations WHERE device_id = ? AND token_hash = ?', [deviceId, hashOf(token)]);
    return res.affectedRows > 0;
  }

  async list(): Promise<StoredToken[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT device_id, installation_id, token, platform, updated_at FROM shared_push_registrations ORDER BY device_id, installation_id',
    );
    return rows.map((r) => ({ deviceId: r.device_id, installationId: r.installation_id || null, token: r.token, platform: r.platform, updatedAt: Number(r.updated_at) }));
  }
}
