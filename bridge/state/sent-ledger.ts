// The record of every message the bridge told a caller it sent. Written in one transaction with
// the idempotency result or the outbox's `sent` mark, so "the caller has an id" and "the message
// reaches the archive" cannot come apart in a crash: rows not yet confirmed archived are replayed
// into the archive at start. Rows are also how a mid-send outbox entry recognises its message.
import type { ArchivedMessage } from '../domain/index.js';
import type { MaybePromise } from '../domain/async.js';
import type { StateDb } from './db.js';

export interface SentRecord {
  slot: number;
  message: ArchivedMessage;
  /** With an idempotency key: the result a retry must get. */
  idempotency?: { key: string; result: Record<string, unknown> };
  /** From the outbox: the entry now sent. */
  outboxId?: string;
}

/** The ledger as the send path uses it: local SQLite answers at once, the cluster's MySQL ledger later. */
export interface LedgerPort {
  save(record: SentRecord): MaybePromise<void>;
  beginAttempt(slot: number, key: string, target: string, body: string): MaybePromise<void>;
  openAttempt(slot: number, key: string): MaybePromise<{ target: string; body: string; attemptedAt: number } | null>;
  has(slot: number, messageId: string): MaybePromise<boolean>;
  unarchived(): MaybePromise<{ slot: number; message: ArchivedMessage }[]>;
  markArchived(before: number): MaybePromise<void>;
}

/** How long ids are remembered after archiving (the outbox's "already sent?" check looks back minutes). */
const KEEP_MS = 7 * 24 * 3600 * 1000;

export class SentLedger implements LedgerPort {
  private readonly saveTx: (record: SentRecord, now: number) => void;

  constructor(private readonly db: StateDb) {
    const insert = db.prepare(
      'INSERT OR IGNORE INTO sent_messages (slot, message_id, message, created_at) VALUES (?, ?, ?, ?)',
    );
    const putKey = db.prepare('INSERT OR REPLACE INTO idempotency (slot, key, result, created_at) VALUES (?, ?, ?, ?)');
    const markSent = db.prepare(`UPDATE outbox SET status = 'sent', message_id = ? WHERE id = ?`);
    const endAttempt = db.prepare('DELETE FROM send_attempts WHERE slot = ? AND key = ?');
    this.saveTx = db.transaction((r: SentRecord, now: number) => {
      insert.run(r.slot, r.message.id, JSON.stringify(r.message), now);
      if (r.idempotency) {
        putKey.run(r.slot, r.idempotency.key, JSON.stringify(r.idempotency.result), now);
        endAttempt.run(r.slot, r.idempotency.key);
      }
      if (r.outboxId) markSent.run(r.message.id, r.outboxId);
    });
  }

  /** One transaction: the message, and the idempotency result or outbox mark with it. Throws on I/O errors. */
  save(record: SentRecord, now = Date.now()): void {
    this.saveTx(record, now);
  }

  /** A keyed send is about to reach WhatsApp (throws on I/O errors). */
  beginAttempt(slot: number, key: string, target: string, body: string, now = Date.now()): void {
    this.db
      .prepare('INSERT OR REPLACE INTO send_attempts (slot, key, target, body, attempted_at) VALUES (?, ?, ?, ?, ?)')
      .run(slot, key, target, body, now);
  }

  /** A keyed send a crash interrupted: it may or may not have reached WhatsApp. */
  openAttempt(slot: number, key: string): { target: string; body: string; attemptedAt: number } | null {
    const row = this.db.prepare('SELECT target, body, attempted_at FROM send_attempts WHERE slot = ? AND key = ?').get(slot, key) as
      | { target: string; body: string; attempted_at: number }
      | undefined;
    return row ? { target: row.target, body: row.body, attemptedAt: row.attempted_at } : null;
  }

  /** Whether this WhatsApp id is already the result of one of our sends. */
  has(slot: number, messageId: string): boolean {
    return this.db.prepare('SELECT 1 FROM sent_messages WHERE slot = ? AND message_id = ?').get(slot, messageId) !== undefined;
  }

  /** Messages not yet confirmed in the archive, oldest first. */
  unarchived(): { slot: number; message: ArchivedMessage }[] {
    const rows = this.db
      .prepare('SELECT slot, message FROM sent_messages WHERE archived = 0 ORDER BY created_at')
      .all() as { slot: number; message: string }[];
    return rows.map((r) => ({ slot: r.slot, message: JSON.parse(r.message) as ArchivedMessage }));
  }

  /** Everything recorded before `before` is in the archive: keep only the id, for a while. */
  markArchived(before: number, now = Date.now()): void {
    this.db.prepare(`UPDATE sent_messages SET archived = 1, message = '' WHERE archived = 0 AND created_at < ?`).run(before);
    this.db.prepare('DELETE FROM sent_messages WHERE archived = 1 AND created_at < ?').run(now - KEEP_MS);
  }
}
