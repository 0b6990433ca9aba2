// Saving what a send produced (idempotency result, outbox mark, the sent message for the archive)
// after WhatsApp accepted it. A save that fails (full disk, I/O error) must not turn a delivered
// message into an error or a resend: the record is kept in memory, answers retries from there,
// and is saved again until the disk takes it. The local ledger saves at once (synchronously); the
// cluster's MySQL ledger answers later, and the record is kept in memory until it has.
import type { Logger } from 'pino';
import type { MaybePromise } from '../domain/async.js';
import type { LedgerPort, SentRecord } from '../state/sent-ledger.js';

/** Unsaved records kept at most (a full disk for hours at 1,000 sends a day per slot fits easily). */
const MAX_UNSAVED = 20_000;
const RETRY_MS = 5000;

export class SendRecords {
  private readonly unsaved: SentRecord[] = [];
  private readonly results = new Map<string, Record<string, unknown>>();
  private readonly outboxSent = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  /** Callers waiting until a record is stored (or dropped by the memory bound). */
  private readonly waiters = new Map<SentRecord, (() => void)[]>();
  /** A save to an asynchronous ledger is under way (one at a time, oldest first). */
  private flushing = false;
  /** Records lost because the memory bound was reached while storage kept failing. */
  dropped = 0;

  constructor(
    private readonly ledger: LedgerPort,
    private readonly logger: Logger,
    private readonly retryMs = RETRY_MS,
  ) {}

  /** Save now; on failure keep it in memory (never throws). */
  save(record: SentRecord): void {
    this.keep(record);
    this.retry();
  }

  /**
   * Resolves once `record` is stored (at once with the synchronous local ledger) or a save failed
   * (then it is kept in memory and answered from there, as before). The outbox drain waits for it
   * before claiming the next entry, so a cluster node that dies leaves at most one sent message
   * unrecorded: the new owner of a slot cannot see the old owner's sends in WhatsApp.
   */
  settled(record: SentRecord): Promise<void> {
    if (!this.unsaved.includes(record)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(record, [...(this.waiters.get(record) ?? []), resolve]));
  }

  /** A retry's answer kept in memory while the state DB could not take it. */
  result(slot: number, key: string): Record<string, unknown> | undefined {
    return this.results.get(`${slot}:${key}`);
  }

  /** The message id of an outbox entry sent while the state DB could not record it. */
  sentOutboxEntry(outboxId: string): string | undefined {
    return this.outboxSent.get(outboxId);
  }

  /** Remember that a keyed send is about to reach WhatsApp; a full disk only loses this safety net. */
  async beginAttempt(slot: number, key: string, target: string, body: string): Promise<void> {
    try {
      await this.ledger.beginAttempt(slot, key, target, body);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, slot }, 'state: could not note a send attempt');
    }
  }

  openAttempt(slot: number, key: string): MaybePromise<{ target: string; body: string; attemptedAt: number } | null> {
    return this.ledger.openAttempt(slot, key);
  }

  /** Whether a WhatsApp id is the result of one of our sends (saved or not). */
  has(slot: number, messageId: string): MaybePromise<boolean> {
    return this.unsaved.some((r) => r.slot === slot && r.message.id === messageId) || this.ledger.has(slot, messageId);
  }

  get pending(): number {
    return this.unsaved.length;
  }

  close(): void {
    this.retry();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private keep(record: SentRecord): void {
    if (this.unsaved.length >= MAX_UNSAVED) {
      const lost = this.unsaved.shift()!;
      this.forget(lost);
      this.dropped++;
    }
    this.unsaved.push(record);
    if (record.idempotency) this.results.set(`${record.slot}:${record.idempotency.key}`, record.idempotency.result);
    if (record.outboxId) this.outboxSent.set(record.outboxId, record.message.id);
  }

  private armTimer(): void {
    if (!this.timer) {
      this.timer = setInterval(() => this.retry(), this.retryMs);
      this.timer.unref();
    }
  }

  private forget(record: SentRecord): void {
    for (const resolve of this.waiters.get(record) ?? []) resolve();
    this.waiters.delete(record);
    if (record.idempotency) this.results.delete(`${record.slot}:${record.idempotency.key}`);
    if (record.outboxId) this.outboxSent.delete(record.outboxId);
  }

  /**
   * Save what is waiting, oldest first; stop at the first failure (retried on a timer). A
   * synchronous ledger is written before this returns; an asynchronous one one record at a time.
   */
  private retry(): void {
    if (this.flushing) return;
    while (this.unsaved.length > 0) {
      const record = this.unsaved[0]!;
      let saved: MaybePromise<void>;
      try {
        saved = this.ledger.save(record);
      } catch (err) {
        return this.failed(record, err);
      }
      if (saved instanceof Promise) {
        this.flushing = true;
        saved.then(
          () => {
            this.flushing = false;
            this.done(record);
            this.retry();
          },
          (err: unknown) => {
            this.flushing = false;
            this.failed(record, err);
          },
        );
        return;
      }
      this.done(record);
    }
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private done(record: SentRecord): void {
    if (this.unsaved[0] === record) this.unsaved.shift();
    this.forget(record);
  }

  private failed(record: SentRecord, err: unknown): void {
    // Storage is failing: nobody waits for it (the records are answered from memory meanwhile).
    for (const resolvers of this.waiters.values()) for (const resolve of resolvers) resolve();
    this.waiters.clear();
    if (!this.timer) this.logger.error({ err: (err as Error)?.message, slot: record.slot }, 'state: could not save a sent message; kept in memory and retried');
    this.armTimer();
  }
}
