// The outbox and idempotency results in the cluster's shared database. Any node may queue a
// message for any slot; only the node holding the slot's lease may claim it for sending, and the
// claim is one UPDATE that checks the lease under the node's fence, so a node that lost the lease
// (frozen, cut off, late) cannot send a queued message the new owner also sends.
// A large payload (queued media) is stored in pieces in shared_outbox_chunks: one statement
// may not exceed MariaDB's max_allowed_packet (16 MiB by default), and 16 MiB of media is over
// 21 MiB as base64.
import crypto from 'node:crypto';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { MaybePromise } from '../../domain/async.js';
import { IdempotencyStore, listStatuses, toEntry, toListEntry, type IdempotencyPort, type ListRow, type OutboxListEntry, type OutboxListFilter, type InterruptedVerdict, type OutboxEntry, type OutboxKind, type OutboxPort, type OutboxState, type Row } from '../../state/outbox.js';
import { inTransaction } from '../../archive/mysql-transaction.js';
import { HOLDS_LEASE_SQL } from '../schema.js';

/** Payloads longer than this (in characters) go in pieces of this size: at most 4 MiB each in utf8mb4. */
export const PIECE_CHARS = 1024 * 1024;
/** The payload column of an entry stored in pieces (a real payload is never empty: it is a JSON object). */
const IN_PIECES = '';

/** Cut `text` into pieces of at most `size` characters, never between the two halves of a surrogate pair. */
export function pieces(text: string, size = PIECE_CHARS): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(i + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** The lease that claimed entry `o` stopped cleanly after the attempt: its stop snapshot has every send it made. */
const STOPPED_AFTER_ATTEMPT_SQL = `EXISTS (SELECT 1 FROM session_snapshots s
  WHERE s.slot = o.slot AND s.fence = o.claimed_fence AND s.reason = 'stop' AND s.created_at >= o.attempted_at)`;
/** MySQL's "Table doesn't exist" and "Unknown column": the snapshot store has not prepared its table yet. */
const NO_SNAPSHOT_TABLE: ReadonlySet<number> = new Set([1146, 1054]);

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
    const text = JSON.stringify(payload);
    const insert = `INSERT INTO shared_outbox (id, slot, chat_id, kind, payload, status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)`;
    if (text.length <= PIECE_CHARS) {
      await this.pool.query(insert, [id, slot, target, kind, text, now]);
      return id;
    }
    // The pieces first, the entry last, in one transaction: no node sees an entry without its content.
    await inTransaction(this.pool, async (c) => {
      let n = 0;
      for (const piece of pieces(text)) await c.query('INSERT INTO shared_outbox_chunks (id, n, data) VALUES (?, ?, ?)', [id, n++, piece]);
      await c.query(insert, [id, slot, target, kind, IN_PIECES, now]);
    });
    return id;
  }

  async unfinished(slot: number): Promise<OutboxEntry[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, slot, chat_id, kind, payload, status, attempted_at FROM shared_outbox WHERE slot = ? AND status IN ('pending', 'sending') ORDER BY seq`,
      [slot],
    );
    const entries: OutboxEntry[] = [];
    for (const r of rows) {
      const row = asRow(r);
      if (row.payload === IN_PIECES) {
        const [parts] = await this.pool.query<RowDataPacket[]>('SELECT data FROM shared_outbox_chunks WHERE id = ? ORDER BY n', [row.id]);
        row.payload = parts.map((p) => p.data as string).join('');
        if (!row.payload) {
          await this.markFailed(row.id, 'the queued content is missing from the database');
          continue;
        }
      }
      entries.push(toEntry(row));
    }
    return entries;
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
    await this.pool.query('DELETE FROM shared_outbox_chunks WHERE id = ?', [id]);
  }

  /**
   * At most once across a failover: an interrupted entry whose claim was made under another lease
   * (a node that died or was fenced, or this node before it lost the slot) is failed as unconfirmed,
   * never sent again. The session driving the slot now was restored from a snapshot that may predate
   * that send, so "not in the chat" proves nothing, and WhatsApp takes no idempotency key. Two cases
   * keep the chat authoritative, so the entry is sent again: the claim was made under the lease held
   * now (this session's own), or that lease ended with a clean stop whose snapshot, taken after its
   * browser closed, is newer than the attempt (a planned move or shutdown; same node, same clock).
   * Fenced like a claim; without the lease nothing changes and the claim that follows is refused.
   */
  async settleInterrupted(entry: OutboxEntry, error: string): Promise<InterruptedVerdict> {
    const held = await this.fenceOf(entry.slot);
    if (!held) return 'resend';
    const fail = (stopSnapshots: boolean) =>
      this.pool.query<ResultSetHeader>(
        `UPDATE shared_outbox o SET o.status = 'failed', o.error = ?, o.unconfirmed = 1
          WHERE o.id = ? AND o.slot = ? AND o.status IN ('pending', 'sending') AND o.attempted_at IS NOT NULL
            AND (o.claimed_fence IS NULL OR o.claimed_fence <> ?)
            ${stopSnapshots ? `AND NOT ${STOPPED_AFTER_ATTEMPT_SQL}` : ''}
            AND ${HOLDS_LEASE_SQL}`,
        [error, entry.id, entry.slot, held.fence, entry.slot, held.node, held.fence],
      );
    // No snapshot table (or no fence column) yet: no fenced snapshot at all (the snapshot store prepares it on first use).
    const [res] = await fail(true).catch((err: { errno?: number }) => {
      if (err.errno !== undefined && NO_SNAPSHOT_TABLE.has(err.errno)) return fail(false);
      throw err;
    });
    if (res.affectedRows !== 1) return 'resend';
    await this.pool.query('DELETE FROM shared_outbox_chunks WHERE id = ?', [entry.id]);
    return 'unconfirmed';
  }

  async size(slot?: number): Promise<number> {
    const [rows] = await (slot === undefined
      ? this.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM shared_outbox WHERE status IN ('pending', 'sending')`)
      : this.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM shared_outbox WHERE slot = ? AND status IN ('pending', 'sending')`, [slot]));
    return Number(rows[0]!.n);
  }

  async status(id: string): Promise<OutboxState | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT id, slot, status, message_id, error, unconfirmed FROM shared_outbox WHERE id = ?', [id]);
    const r = rows[0];
    return r ? { outboxId: r.id, slot: r.slot, status: r.status, messageId: r.message_id, error: r.error, unconfirmed: Number(r.unconfirmed) === 1 } : null;
  }

  /** Any node answers from the shared table. A payload stored in pieces has no preview (media over 1 MiB). */
  async list({ slot, status, limit }: OutboxListFilter): Promise<OutboxListEntry[]> {
    const statuses = listStatuses(status);
    const json = (path: string) => `JSON_UNQUOTE(JSON_EXTRACT(payload, '${path}'))`;
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, slot, chat_id, kind, status, error, unconfirmed, created_at,
              CASE WHEN payload = '' THEN NULL ELSE COALESCE(${json('$.text')}, ${json('$.media.caption')}, ${json('$.poll.question')}) END AS preview
         FROM shared_outbox WHERE status IN (?) ${slot === undefined ? '' : 'AND slot = ?'} ${status === 'unconfirmed' ? 'AND unconfirmed = 1' : ''}
        ORDER BY seq DESC LIMIT ?`,
      [statuses, ...(slot === undefined ? [] : [slot]), limit],
    );
    return rows.map((r) => toListEntry(r as ListRow));
  }

  /**
   * As never attempted: no claim, not unconfirmed, so the owner's drain sends it without looking
   * for it in the chat (the admin checked). An entry stored in pieces lost them when it failed
   * (markFailed): it cannot come back.
   */
  async retry(id: string): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(
      `UPDATE shared_outbox SET status = 'pending', attempted_at = NULL, claimed_fence = NULL, claimed_by = NULL, unconfirmed = 0, error = NULL
        WHERE id = ? AND status = 'failed' AND payload <> ?`,
      [id, IN_PIECES],
    );
    return res.affectedRows === 1;
  }

  /** Conditional, so an entry the owner claimed a moment ago (now `sending`) is not taken from under it. */
  async discard(id: string): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(`DELETE FROM shared_outbox WHERE id = ? AND status IN ('pending', 'failed')`, [id]);
    if (res.affectedRows !== 1) return false;
    await this.pool.query('DELETE FROM shared_outbox_chunks WHERE id = ?', [id]);
    return true;
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
