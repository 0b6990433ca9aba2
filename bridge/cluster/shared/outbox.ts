// The outbox and idempotency results in the cluster's shared database. Any node may queue a
// message for any slot; only the node holding the slot's lease may claim it for sending, and the
// claim is one UPDATE that checks the lease under the node's fence, so a node that lost the lease
// (frozen, cut off, late) cannot send a queued message the new owner also sends.
import crypto from 'node:crypto';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { MaybePromise } from '../../domain/async.js';
import { IdempotencyStore, toEntry, type IdempotencyPort, type OutboxEntry, type OutboxKind, type OutboxPort, type OutboxState, type Row } from '../../state/outbox.js';
import { HOLDS_LEASE_SQL } from '../schema.js';

/** The lease this node believes it holds for a slot (null: none). */
export type FenceOf = (slot: number) => MaybePromise<{ node: string; fence: number } | null>;

const asRow = (r: RowDataPacket): Row => ({
  id: r.id,
  slot: r.slot,
  chat_id: r.chat_id,
  kind: r.kind,
  payload: r.payload,
  status: r.status,
  attempted_at: r.attempted_at === null ? null : Number(r.attempted_at),
});

export class MysqlOutbox implements OutboxPort {
  constructor(
    private readonly pool: Pool,
    private readonly fenceOf: FenceOf,
  ) {}

  async enqueue(slot: number, target: string, kind: OutboxKind, payload: Record<string, unknown>, now = Date.now()): Promise<string> {
    const id = crypto.randomUUID();
    await this.pool.query(
      `INSERT INTO shared_outbox (id, slot, chat_id, kind, payload, status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)`,
      [id, slot, target, kind, JSON.stringify(payload), now],
    );
    return id;
  }

  async unfinished(slot: number): Promise<OutboxEntry[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, slot, chat_id, kind, payload, status, attempted_at FROM shared_outbox WHERE slot = ? AND status IN ('pending', 'sending') ORDER BY seq`,
      [slot],
    );
    return rows.map((r) => toEntry(asRow(r)));
  }

  /**
   * Claim under this node's fence. A pending entry: only while the lease is held. An entry left
   * `sending` (its sender died or was fenced mid-send): only by a newer fence than the one that
   * claimed it, so two senders under one fence never both take it.
   */
  async claim(entry: OutboxEntry, now = Date.now()): Promise<boolean> {
    const held = await this.fenceOf(entry.slot);
    if (!held) return false;
    const [res] = await this.pool.query<ResultSetHeader>(
      `UPDATE shared_outbox SET status = 'sending', attempted_at = ?, claimed_fence = ?, claimed_by = ?
        WHERE id = ? AND slot = ?
          AND (status = 'pending' OR (status = 'sending' AND (claimed_fence IS NULL OR claimed_fence < ?)))
          AND ${HOLDS_LEASE_SQL}`,
      [now, held.fence, held.node, entry.id, entry.slot, held.fence, entry.slot, held.node, held.fence],
    );
    return res.affectedRows === 1;
  }

  async markPending(id: string): Promise<void> {
    await this.pool.query(`UPDATE shared_outbox SET status = 'pending' WHERE id = ? AND status = 'sending'`, [id]);
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.pool.query(`UPDATE shared_outbox SET status = 'failed', error = ? WHERE id = ?`, [error, id]);
  }

  async size(slot?: number): Promise<number> {
    const [rows] = await (slot === undefined
      ? this.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM shared_outbox WHERE status IN ('pending', 'sending')`)
      : this.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM shared_outbox WHERE slot = ? AND status IN ('pending', 'sending')`, [slot]));
    return Number(rows[0]!.n);
  }

  async status(id: string): Promise<OutboxState | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT id, slot, status, message_id, error FROM shared_outbox WHERE id = ?', [id]);
    const r = rows[0];
    return r ? { outboxId: r.id, slot: r.slot, status: r.status, messageId: r.message_id, error: r.error } : null;
  }
}

export class MysqlIdempotency implements IdempotencyPort {
  constructor(private readonly pool: Pool) {}

  async get(slot: number, key: string, now = Date.now()): Promise<Record<string, unknown> | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT result, created_at FROM shared_idempotency WHERE slot = ? AND `key` = ?', [slot, key]);
    const r = rows[0];
    if (!r || now - Number(r.created_at) > IdempotencyStore.TTL_MS) return null;
    return JSON.parse(r.result) as Record<string, unknown>;
  }

  async put(slot: number, key: string, result: Record<string, unknown>, now = Date.now()): Promise<void> {
    await this.pool.query('REPLACE INTO shared_idempotency (slot, `key`, result, created_at) VALUES (?, ?, ?, ?)', [slot, key, JSON.stringify(result), now]);
    await this.pool.query('DELETE FROM shared_idempotency WHERE created_at < ?', [now - IdempotencyStore.TTL_MS]);
  }
}
