// The sent-message ledger in the cluster's shared database (see bridge/state/sent-ledger.ts): the
// message, its idempotency result and its outbox mark in one transaction. Each row names the node
// whose archive batch carries it, so a node replays and confirms only its own rows.
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { inTransaction } from '../../archive/mysql-transaction.js';
import type { ArchivedMessage } from '../../domain/index.js';
import type { LedgerPort, SentRecord } from '../../state/sent-ledger.js';

const KEEP_MS = 7 * 24 * 3600 * 1000;

export class MysqlLedger implements LedgerPort {
  constructor(
    private readonly pool: Pool,
    private readonly nodeId: string,
  ) {}

  async save(r: SentRecord, now = Date.now()): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query('INSERT IGNORE INTO shared_sent_messages (slot, message_id, node, message, created_at) VALUES (?, ?, ?, ?, ?)', [
        r.slot,
        r.message.id,
        this.nodeId,
        JSON.stringify(r.message),
        now,
      ]);
      if (r.idempotency) {
        await c.query('REPLACE INTO shared_idempotency (slot, `key`, result, created_at) VALUES (?, ?, ?, ?)', [r.slot, r.idempotency.key, JSON.stringify(r.idempotency.result), now]);
        await c.query('DELETE FROM shared_send_attempts WHERE slot = ? AND `key` = ?', [r.slot, r.idempotency.key]);
      }
      if (r.outboxId) {
        await c.query(`UPDATE shared_outbox SET status = 'sent', message_id = ? WHERE id = ?`, [r.message.id, r.outboxId]);
        await c.query('DELETE FROM shared_outbox_chunks WHERE id = ?', [r.outboxId]); // a large payload's pieces (outbox.ts)
      }
    });
  }

  async beginAttempt(slot: number, key: string, target: string, body: string, now = Date.now()): Promise<void> {
    await this.pool.query('REPLACE INTO shared_send_attempts (slot, `key`, target, body, attempted_at) VALUES (?, ?, ?, ?, ?)', [slot, key, target, body, now]);
  }

  async openAttempt(slot: number, key: string) {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT target, body, attempted_at FROM shared_send_attempts WHERE slot = ? AND `key` = ?', [slot, key]);
    const r = rows[0];
    return r ? { target: r.target as string, body: r.body as string, attemptedAt: Number(r.attempted_at) } : null;
  }

  async has(slot: number, messageId: string): Promise<boolean> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT 1 FROM shared_sent_messages WHERE slot = ? AND message_id = ?', [slot, messageId]);
    return rows.length > 0;
  }

  async unarchived(): Promise<{ slot: number; message: ArchivedMessage }[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT slot, message FROM shared_sent_messages WHERE node = ? AND archived = 0 ORDER BY created_at',
      [this.nodeId],
    );
    return rows.map((r) => ({ slot: r.slot as number, message: JSON.parse(r.message) as ArchivedMessage }));
  }

  async markArchived(before: number, now = Date.now()): Promise<void> {
    await this.pool.query(`UPDATE shared_sent_messages SET archived = 1, message = '' WHERE node = ? AND archived = 0 AND created_at < ?`, [this.nodeId, before]);
    await this.pool.query('DELETE FROM shared_sent_messages WHERE archived = 1 AND created_at < ?', [now - KEEP_MS]);
  }

}
