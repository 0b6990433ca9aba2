// The durable outbox: messages accepted with `queue: true` while their slot was not ready.
// Stored before the reply, sent in order once the slot is READY, exactly once across restarts.
import crypto from 'node:crypto';
import type { StateDb } from './db.js';

export type OutboxKind = 'text' | 'media' | 'poll';
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxEntry {
  id: string;
  slot: number;
  /** A resolved chat id, or `phone:<digits>` still to be checked against WhatsApp. */
  target: string;
  kind: OutboxKind;
  payload: Record<string, unknown>;
  status: OutboxStatus;
  /** When the last send attempt began (ms), to recognise an already-sent message after a crash. */
  attemptedAt: number | null;
}

export interface OutboxState {
  outboxId: string;
  slot: number;
  status: OutboxStatus;
  messageId: string | null;
  error: string | null;
  /** Failed because its send was interrupted on a node that went away: WhatsApp may have it (cluster mode). */
  unconfirmed: boolean;
}

/** Which entries the admin's list shows: waiting (pending or mid-send), failed, or failed as unconfirmed. */
export type OutboxListStatus = 'pending' | 'failed' | 'unconfirmed';
export interface OutboxListFilter {
  slot?: number;
  status?: OutboxListStatus;
  limit: number;
}

/** An entry as the admin's list shows it: never the payload itself (queued media is large). */
export type OutboxListEntry = {
  outboxId: string;
  slot: number;
  kind: OutboxKind;
  /** The text, caption or poll question, cut to PREVIEW_CHARS; null for media without a caption. */
  preview: string | null;
  status: OutboxStatus;
  error: string | null;
  unconfirmed: boolean;
  createdAt: number;
} & ({ chatId: string } | { phone: string });

/** The columns a store's list query selects (`preview` taken from the payload in SQL). */
export interface ListRow {
  id: string;
  slot: number;
  chat_id: string;
  kind: OutboxKind;
  preview: string | null;
  status: OutboxStatus;
  error: string | null;
  unconfirmed: number | string;
  created_at: number | string;
}

export const PREVIEW_CHARS = 200;
/** A target still to be resolved against WhatsApp (messenger.ts). */
const PHONE_PREFIX = 'phone:';

export const toListEntry = (r: ListRow): OutboxListEntry => ({
  outboxId: r.id,
  slot: Number(r.slot),
  ...(r.chat_id.startsWith(PHONE_PREFIX) ? { phone: r.chat_id.slice(PHONE_PREFIX.length) } : { chatId: r.chat_id }),
  kind: r.kind,
  preview: r.preview === null ? null : [...r.preview].slice(0, PREVIEW_CHARS).join(''),
  status: r.status,
  error: r.error,
  unconfirmed: Number(r.unconfirmed) === 1,
  createdAt: Number(r.created_at),
});

/** The statuses a list filter selects (no filter: every entry not sent). */
export function listStatuses(status: OutboxListStatus | undefined): OutboxStatus[] {
  if (status === 'pending') return ['pending', 'sending'];
  if (status === 'failed' || status === 'unconfirmed') return ['failed'];
  return ['pending', 'sending', 'failed'];
}

/**
 * What the drain does with an interrupted entry (`sending`, or put back after a send that failed)
 * that the chat does not show: send it again, or leave it failed as unconfirmed.
 */
export type InterruptedVerdict = 'resend' | 'unconfirmed';

export interface Row {
  id: string;
  slot: number;
  chat_id: string;
  kind: OutboxKind;
  payload: string;
  status: OutboxStatus;
  attempted_at: number | null;
}

/**
 * The outbox as the send path uses it: the local SQLite store, or in cluster mode the shared MySQL
 * store (bridge/cluster/shared/outbox.ts), which claims under the slot's fence. Both answer with
 * promises; SQLite's work is done by the time the call returns (only the answer waits a tick).
 */
export interface OutboxPort {
  enqueue(slot: number, target: string, kind: OutboxKind, payload: Record<string, unknown>): Promise<string>;
  /** Unfinished entries of a slot, oldest first (`sending` ones were interrupted by a crash or a failover). */
  unfinished(slot: number): Promise<OutboxEntry[]>;
  /** Take an entry for sending; false = this node may not send it (it lost the slot's lease). */
  claim(entry: OutboxEntry): Promise<boolean>;
  markPending(id: string): Promise<void>;
  markFailed(id: string, error: string): Promise<void>;
  /**
   * An interrupted entry the chat does not show. The local store answers 'resend': the slot's own
   * browser profile holds every message it sent, so not found means not sent. The cluster store
   * fails it as unconfirmed when another lease claimed it and did not end with a clean stop after
   * the attempt (see MysqlOutbox).
   */
  settleInterrupted(entry: OutboxEntry, error: string): Promise<InterruptedVerdict>;
  size(slot?: number): Promise<number>;
  status(id: string): Promise<OutboxState | null>;
  /** Entries not sent, newest first (the admin's "Not sent" list). */
  list(filter: OutboxListFilter): Promise<OutboxListEntry[]>;
  /** A failed entry back to pending, as never attempted; false = no failed entry by that id. */
  retry(id: string): Promise<boolean>;
  /** Remove a pending or failed entry; false = no such entry in those states (e.g. being sent). */
  discard(id: string): Promise<boolean>;
}

/** Results of sends with an idempotency key. */
export interface IdempotencyPort {
  get(slot: number, key: string): Promise<Record<string, unknown> | null>;
  put(slot: number, key: string, result: Record<string, unknown>): Promise<void>;
}

export const toEntry = (r: Row): OutboxEntry => ({
  id: r.id,
  slot: r.slot,
  target: r.chat_id,
  kind: r.kind,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  status: r.status,
  attemptedAt: r.attempted_at,
});

export class OutboxStore implements OutboxPort {
  constructor(private readonly db: StateDb) {}

  async enqueue(slot: number, target: string, kind: OutboxKind, payload: Record<string, unknown>, now = Date.now()): Promise<string> {
    const id = crypto.randomUUID();
    this.db
      .prepare(
        `INSERT INTO outbox (id, seq, slot, chat_id, kind, payload, status, created_at)
         VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox), ?, ?, ?, ?, 'pending', ?)`,
      )
      .run(id, slot, target, kind, JSON.stringify(payload), now);
    return id;
  }

  /** Unfinished entries of a slot, oldest first (`sending` ones were interrupted by a crash). */
  async unfinished(slot: number): Promise<OutboxEntry[]> {
    return (
      this.db
        .prepare(`SELECT * FROM outbox WHERE slot = ? AND status IN ('pending', 'sending') ORDER BY seq`)
        .all(slot) as Row[]
    ).map(toEntry);
  }

  /** A single node's slots are its own: false only when the entry was discarded (or settled) meanwhile. */
  async claim(entry: OutboxEntry): Promise<boolean> {
    return this.markSending(entry.id);
  }

  markSending(id: string, now = Date.now()): boolean {
    return this.db.prepare(`UPDATE outbox SET status = 'sending', attempted_at = ? WHERE id = ? AND status IN ('pending', 'sending')`).run(now, id).changes === 1;
  }

  async markPending(id: string): Promise<void> {
    this.db.prepare(`UPDATE outbox SET status = 'pending' WHERE id = ?`).run(id);
  }

  markSent(id: string, messageId: string): void {
    this.db.prepare(`UPDATE outbox SET status = 'sent', message_id = ? WHERE id = ?`).run(messageId, id);
  }

  async markFailed(id: string, error: string): Promise<void> {
    this.db.prepare(`UPDATE outbox SET status = 'failed', error = ? WHERE id = ?`).run(error, id);
  }

  /** One node, one profile: what the chat does not show was not sent. */
  async settleInterrupted(_entry: OutboxEntry, _error: string): Promise<InterruptedVerdict> {
    return 'resend';
  }

  /** Messages waiting, of one slot or of all. */
  async size(slot?: number): Promise<number> {
    const row = (slot === undefined
      ? this.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'sending')`).get()
      : this.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE slot = ? AND status IN ('pending', 'sending')`).get(slot)) as { n: number };
    return row.n;
  }

  /** Where a queued message is, by outbox id. */
  async status(id: string): Promise<OutboxState | null> {
    const row = this.db.prepare('SELECT id, slot, status, message_id, error FROM outbox WHERE id = ?').get(id) as
      | { id: string; slot: number; status: OutboxStatus; message_id: string | null; error: string | null }
      | undefined;
    return row ? { outboxId: row.id, slot: row.slot, status: row.status, messageId: row.message_id, error: row.error, unconfirmed: false } : null;
  }

  async list({ slot, status, limit }: OutboxListFilter): Promise<OutboxListEntry[]> {
    // One node never leaves an entry unconfirmed (settleInterrupted): that filter finds none.
    if (status === 'unconfirmed') return [];
    const statuses = listStatuses(status);
    const rows = this.db
      .prepare(
        `SELECT id, slot, chat_id, kind, status, error, 0 AS unconfirmed, created_at,
                COALESCE(json_extract(payload, '$.text'), json_extract(payload, '$.media.caption'), json_extract(payload, '$.poll.question')) AS preview
           FROM outbox WHERE status IN (${statuses.map(() => '?').join(', ')}) ${slot === undefined ? '' : 'AND slot = ?'}
          ORDER BY seq DESC LIMIT ?`,
      )
      .all(...statuses, ...(slot === undefined ? [] : [slot]), limit) as ListRow[];
    return rows.map(toListEntry);
  }

  async retry(id: string): Promise<boolean> {
    return this.db.prepare(`UPDATE outbox SET status = 'pending', attempted_at = NULL, error = NULL WHERE id = ? AND status = 'failed'`).run(id).changes === 1;
  }

  async discard(id: string): Promise<boolean> {
    return this.db.prepare(`DELETE FROM outbox WHERE id = ? AND status IN ('pending', 'failed')`).run(id).changes === 1;
  }
}

/** Results of sends with an idempotency key, kept 24 h. */
export class IdempotencyStore implements IdempotencyPort {
  static readonly TTL_MS = 24 * 3600 * 1000;

  constructor(private readonly db: StateDb) {}

  async get(slot: number, key: string, now = Date.now()): Promise<Record<string, unknown> | null> {
    const row = this.db.prepare('SELECT result, created_at FROM idempotency WHERE slot = ? AND key = ?').get(slot, key) as
      | { result: string; created_at: number }
      | undefined;
    if (!row || now - row.created_at > IdempotencyStore.TTL_MS) return null;
    return JSON.parse(row.result) as Record<string, unknown>;
  }

  async put(slot: number, key: string, result: Record<string, unknown>, now = Date.now()): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO idempotency (slot, key, result, created_at) VALUES (?, ?, ?, ?)')
      .run(slot, key, JSON.stringify(result), now);
    this.db.prepare('DELETE FROM idempotency WHERE created_at < ?').run(now - IdempotencyStore.TTL_MS);
  }
}

/** Which slots the owner left connected, so a restart brings them back. */
export class SlotWishes {
  constructor(private readonly db: StateDb) {}

  set(slot: number, connected: boolean): void {
    this.db.prepare('INSERT OR REPLACE INTO slot_wishes (slot, connected) VALUES (?, ?)').run(slot, connected ? 1 : 0);
  }

  connectedSlots(): number[] {
    return (this.db.prepare('SELECT slot FROM slot_wishes WHERE connected = 1 ORDER BY slot').all() as { slot: number }[]).map((r) => r.slot);
  }
}
