// The default archive: a SQLite file (WAL, FTS5) in the data dir. All SQL runs in two worker
// threads - one writer, one reader - so the event loop only queues work and receives rows.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ArchivedMessage, MediaRecord } from '../domain/index.js';
import type { ArchiveHealth, ArchiveRow, ArchiveStore, PollTally, SearchQuery } from './types.js';
import type { ArchiveOp } from './ops.js';
import type { ApplyResult } from './sqlite-db.js';
import { DEFAULT_BATCH_WINDOW_MS, WriteBatcher } from './batcher.js';
import { SqliteWorkerClient } from './worker-client.js';
import { searchableText } from './normalise.js';
import { toStored } from './ops.js';
import { checkIds, checkPage, checkSearch, timed } from './validate.js';
import { QueuedArchiveWrites } from './queued-writes.js';

export interface SqliteStoreOptions {
  file: string;
  logger: Logger;
  /** Longest a write waits before it is committed (default 200 ms). */
  batchWindowMs?: number;
  maxBatch?: number;
  /** Tests: migrate only up to this version. */
  targetVersion?: number;
}

export class SqliteArchiveStore extends QueuedArchiveWrites implements ArchiveStore {
  readonly backend = 'sqlite' as const;
  private writer: SqliteWorkerClient | null = null;
  private reader: SqliteWorkerClient | null = null;
  protected readonly batcher: WriteBatcher<ArchiveOp>;
  private lastError: string | null = null;

  constructor(private readonly opts: SqliteStoreOptions) {
    super(opts.logger);
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
  }

  private async writeBatch(batch: ArchiveOp[]): Promise<void> {
    if (!this.writer) throw new Error('archive is not open');
    const result = await this.writer.call<ApplyResult>('apply', batch);
    if (result.failed > 0) {
      this.opts.logger.warn({ failed: result.failed, errors: result.errors }, 'archive: some writes were rejected');
    }
    this.lastError = null;
  }

  async flush(): Promise<void> {
    await this.batcher.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.batcher.flush();
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

  getMessage(slot: number, messageId: string): Promise<ArchiveRow | null> {
    return this.read('getMessage', slot, String(messageId));
  }

  async getMedia(slot: number, messageIds: string[]): Promise<MediaRecord[]> {
    const ids = checkIds(messageIds);
    return ids.length ? this.read('getMedia', slot, ids) : [];
  }

  async search(query: SearchQuery): Promise<ArchiveRow[]> {
    const q = checkSearch(query);
    return this.read('search', q.slot, q.query, q.limit, q.offset);
  }

  getPollTally(slot: number, messageId: string): Promise<PollTally> {
    return this.read('pollTally', slot, String(messageId));
  }

  /** Bench only: the same query as a naive LIKE scan. */
  likeScan(slot: number | undefined, needle: string, limit: number): Promise<number> {
    return this.read('likeScan', slot, needle, limit);
  }

  health(): ArchiveHealth {
    const open = this.reader !== null && this.writer !== null;
    return {
      ok: open && this.lastError === null,
      backend: 'sqlite',
      error: open ? this.lastError : 'not open',
      pending: this.batcher.size,
    };
  }
}
