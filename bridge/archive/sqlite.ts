// The default archive: a SQLite file (WAL, FTS5) in the data dir. All SQL runs in two worker
// threads - one writer, one reader - so the event loop only queues work and receives rows.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { BridgeError, type ArchivedMessage, type ChatRow, type MediaRecord } from '../domain/index.js';
import { archivedChatRow, type ChatListDbRow } from './chat-list.js';
import type { ArchiveHealth, ArchiveRow, ArchiveStore, PollTally, SearchQuery } from './types.js';
import type { ArchiveOp } from './ops.js';
import type { ApplyResult } from './sqlite-db.js';
import { DEFAULT_BATCH_WINDOW_MS, WriteBatcher } from './batcher.js';
import { SqliteWorkerClient } from './worker-client.js';
import { searchableText } from './normalise.js';
import { toStored, validSlot } from './ops.js';
import { checkIds, checkPage, checkSearch, timed } from './validate.js';
import { QueuedArchiveWrites } from './queued-writes.js';
import { HeldWrites } from './held-writes.js';
import { Spool } from './spool.js';

export interface SqliteStoreOptions {
  file: string;
  logger: Logger;
  /** Longest a write waits before it is committed (default 200 ms). */
  batchWindowMs?: number;
  maxBatch?: number;
  /** Tests: migrate only up to this version. */
  targetVersion?: number;
  /** Where failed writes wait past the in-memory bound (default: next to the archive file). */
  spoolFile?: string;
  heldInMemory?: number;
  /** How often failed writes are tried again (default 5 s). */
  retryMs?: number;
}

export class SqliteArchiveStore extends QueuedArchiveWrites implements ArchiveStore {
  readonly backend = 'sqlite' as const;
  private writer: SqliteWorkerClient | null = null;
  private reader: SqliteWorkerClient | null = null;
  protected readonly batcher: WriteBatcher<ArchiveOp>;
  private lastError: string | null = null;
  /** Batches SQLite refused (full disk, I/O error), kept and retried instead of dropped. */
  private readonly held: HeldWrites;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Serialises changes to `held` (a drain must not miss what arrives meanwhile). */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: SqliteStoreOptions) {
    super(opts.logger);
    this.held = new HeldWrites(new Spool(opts.spoolFile ?? `${opts.file}.retry.jsonl`), opts.heldInMemory);
    this.batcher = new WriteBatcher<ArchiveOp>({
      windowMs: opts.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS,
      maxBatch: opts.maxBatch ?? 2000,
      // The worker answers in order, so several batches may be on their way at once.
      maxInFlight: 4,
      write: (batch) => this.writeBatch(batch),
      onError: (err, batch) => {
        this.lastError = (err as Error).message;
        opts.logger.error({ err: this.lastError, ops: batch.length }, 'archive: SQLite batch failed');
      },
    });
  }

  async init(): Promise<void> {
    fs.mkdirSync(path.dirname(this.opts.file), { recursive: true });
    // The writer migrates first; the reader opens the migrated file read-only.
    this.writer = new SqliteWorkerClient(this.opts.file, { targetVersion: this.opts.targetVersion });
    try {
      await this.writer.whenReady();
    } catch (err) {
      await this.writer.close();
      this.writer = null;
      throw err;
    }
    this.reader = new SqliteWorkerClient(this.opts.file, { readonly: true });
    try {
      await this.reader.whenReady();
    } catch (err) {
      await Promise.all([this.reader.close(), this.writer.close()]);
      this.reader = this.writer = null;
      throw err;
    }
    this.opts.logger.info({ file: this.opts.file }, 'archive: SQLite ready');
    // Writes a previous run could not store are tried again first.
    if (!this.held.isEmpty) this.scheduleRetry(0);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writeBatch(batch: ArchiveOp[]): Promise<void> {
    // Older writes are waiting: keep the order, queue behind them.
    if (!this.held.isEmpty) {
      await this.hold(batch);
      return;
    }
    try {
      await this.apply(batch);
    } catch (err) {
      const first = this.lastError === null;
      this.lastError = (err as Error).message;
      if (first) this.opts.logger.error({ err: this.lastError, ops: batch.length }, 'archive: SQLite could not store a batch; kept and retried');
      await this.hold(batch);
    }
  }

  private async apply(batch: ArchiveOp[]): Promise<void> {
    if (!this.writer) throw new Error('archive is not open');
    const result = await this.writer.call<ApplyResult>('apply', batch);
    if (result.failed > 0) {
      this.opts.logger.warn({ failed: result.failed, errors: result.errors }, 'archive: some writes were rejected');
    }
  }

  private async hold(batch: ArchiveOp[]): Promise<void> {
    const before = this.held.dropped;
    await this.exclusive(() => this.held.add(batch));
    if (this.held.dropped > before) this.opts.logger.error({ dropped: this.held.dropped }, 'archive: memory and spool for failed writes are full; writes dropped');
    this.scheduleRetry();
  }

  private scheduleRetry(ms = this.opts.retryMs ?? 5000): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.retryHeld().then((ok) => ok || this.scheduleRetry());
    }, ms);
    this.retryTimer.unref();
  }

  /** Write what was held; true when nothing is left. */
  private retryHeld(): Promise<boolean> {
    return this.exclusive(async () => {
      if (this.held.isEmpty) return true;
      const count = this.held.size;
      try {
        await this.held.drain((ops) => this.apply(ops));
      } catch (err) {
        this.lastError = (err as Error).message;
        return false;
      }
      this.lastError = null;
      this.opts.logger.info({ ops: count }, 'archive: writes held after a failure are stored now');
      return true;
    });
  }

  async flush(): Promise<void> {
    await this.batcher.flush();
    if (!this.held.isEmpty) await this.retryHeld();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    // Still failing: what is only in memory goes to the spool, for the next start.
    await this.exclusive(() => this.held.spillToSpool()).catch(() => undefined);
    await Promise.all([this.reader?.close(), this.writer?.close()]);
    this.reader = this.writer = null;
  }

  /** Normalise here, so the writer thread only runs SQL (the two overlap during a burst). */
  protected override messageOp(slot: number, message: ArchivedMessage): ArchiveOp {
    return { op: 'message', slot, message, text: searchableText(toStored(message)) };
  }

  private read<T>(method: string, ...args: unknown[]): Promise<T> {
    if (!this.reader) return Promise.reject(new Error('archive is not open'));
    return timed(this.opts.logger, method, () => this.reader!.call<T>(method, ...args));
  }

  async listMessages(slot: number, chatId: string, limit: number, offset: number): Promise<ArchiveRow[]> {
    checkPage(limit, offset);
    return this.read('listMessages', slot, String(chatId), limit, offset);
  }

  async listChats(slot: number): Promise<ChatRow[]> {
    if (!validSlot(slot)) throw new BridgeError('INVALID_SLOT', 'slot must be a positive integer');
    return (await this.read<ChatListDbRow[]>('chatList', slot)).map(archivedChatRow);
  }

  getMessage(slot: number, messageId: string): Promise<ArchiveRow | null> {
    return this.read('getMessage', slot, String(messageId));
  }

  async getMedia(slot: number, messageIds: string[]): Promise<MediaRecord[]> {
    const ids = checkIds(messageIds);
    return ids.length ? this.read('getMedia', slot, ids) : [];
  }

  async search(query: SearchQuery): Promise<ArchiveRow[]> {
    const q = checkSearch(query);
    return this.read('search', q.slot, q.query, q.limit, q.offset, q.order, { chatId: q.chatId, from: q.from, to: q.to });
  }

  getPollTally(slot: number, messageId: string): Promise<PollTally> {
    return this.read('pollTally', slot, String(messageId));
  }

  /** Bench only: the same query answered by scanning every message, without the index. */
  likeScan(slot: number, query: string, limit: number): Promise<number> {
    return this.read('likeScan', slot, query, limit);
  }

  health(): ArchiveHealth {
    const open = this.reader !== null && this.writer !== null;
    const held = this.held.size;
    const error = !open
      ? 'not open'
      : held > 0
        ? `${held} writes not stored yet (${this.lastError ?? 'waiting to retry'}); kept and retried`
        : this.lastError;
    return {
      ok: open && held === 0 && this.lastError === null,
      backend: 'sqlite',
      error,
      pending: this.batcher.size + held,
      ...(this.held.dropped > 0 ? { dropped: this.held.dropped } : {}),
    };
  }
}
