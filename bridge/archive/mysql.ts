// The MySQL/MariaDB archive (mysql2 pools; search through the bridge's own inverted index,
// mysql-terms.ts). If the server is unreachable - at start
// or later - the bridge keeps running: writes go to a bounded local spool and are replayed, in
// order, once the server answers again; health() says what is going on.
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import { BridgeError, type Ack, type ChatRow, type MediaRecord } from '../domain/index.js';
import { CHAT_LIST_SQL, MAX_ARCHIVED_CHATS, archivedChatRow, type ChatListDbRow } from './chat-list.js';
import type { ArchiveHealth, ArchiveRow, ArchiveStore, PollTally, SearchQuery } from './types.js';
import { ackRank, mergeStored, toStored, validSlot, type ArchiveOp, type StoredMessage } from './ops.js';
import { DEFAULT_BATCH_WINDOW_MS, WriteBatcher } from './batcher.js';
import { Spool, DEFAULT_SPOOL_MAX_BYTES } from './spool.js';
import { ArchiveSchemaError, latestVersion, type Migration } from './migrations.js';
import { MYSQL_BACKFILL_VERSION, MYSQL_MIGRATIONS } from './mysql-schema.js';
import { describeMigration, MysqlMigrator } from './mysql-migrate.js';
import {
  indexedSlots, indexMessages, MYSQL_RANK_WINDOW, planQuery, rankHits, searchSlot, unindexMessage,
  type Hit, type IndexedMessage,
} from './mysql-terms.js';
import { checkIds, checkPage, checkSearch, timed } from './validate.js';
import { MEDIA_COLUMNS, mediaFromRow, mediaValues, type MediaDbRow } from './media-row.js';
import { QueuedArchiveWrites } from './queued-writes.js';
import { MESSAGE_COLUMNS, archiveRowFrom, storedFromRow, type MessageDbRow as MessageRowFields } from './message-row.js';
import { matchesQuery, parseSearchQuery, searchableText } from './normalise.js';

export interface MysqlStoreOptions {
  url: string;
  logger: Logger;
  /** Where writes wait while the server is away. */
  spoolFile: string;
  spoolMaxBytes?: number;
  batchWindowMs?: number;
  maxBatch?: number;
  /** How often to try the server again while it is away (default 5 s). */
  retryMs?: number;
  /** Tests: migrate only up to this version. */
  targetVersion?: number;
  /** Tests: messages per backfill transaction when migration 3 indexes existing rows. */
  backfillBatch?: number;
  /**
   * Upgrade the schema after init() returns (the bridge: it listens and serves meanwhile, writes
   * spooled, archive reads ARCHIVE_MIGRATING). Default false: init() returns once migrated.
   */
  migrateInBackground?: boolean;
  /** The migration lock's lease (default 30 s) and how often a waiting bridge looks (1 s). */
  migrationLockTtlMs?: number;
  migrationPollMs?: number;
  /** Tests: called before each migration runs (to hold it there). */
  beforeMigration?: (m: Migration) => Promise<void> | void;
  /**
   * A server that keeps the connection but stops answering: a write still running after this long
   * (default 3 s) is abandoned (its connection destroyed) and the writes go to the local spool.
   */
  writeTimeoutMs?: number;
  /** …or as soon as this many writes wait behind it in memory (default 5,000). */
  maxWaitingWrites?: number;
  /**
   * A read (archive page, search, media row) still unanswered after this long (default 10 s) is
   * abandoned, its connection destroyed, and the caller gets 503 ARCHIVE_UNAVAILABLE.
   */
  readTimeoutMs?: number;
  /**
   * MySQL away and the spool's disk refusing too (full disk): writes are held in memory up to
   * this many (default 50,000), then counted as dropped; health says so either way.
   */
  maxHeldInMemory?: number;
}

export const DEFAULT_WRITE_TIMEOUT_MS = 3000;
export const DEFAULT_MAX_WAITING_WRITES = 5000;
export const DEFAULT_READ_TIMEOUT_MS = 10_000;
export const DEFAULT_HELD_IN_MEMORY = 50_000;
/** Seconds a caller is told to wait when the archive database is away (the retry period). */
const UNAVAILABLE_RETRY_AFTER = 5;

/** Thrown when the server took too long: counted as the server being away. */
class HungServerError extends Error {
  readonly code = 'ETIMEDOUT';
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED', 'POOL_CLOSED',
]);

function isConnectionError(err: unknown): boolean {
  if (err instanceof HungServerError) return true;
  const e = err as { code?: string; fatal?: boolean; errno?: number };
  return Boolean(e && (e.fatal || (e.code && CONNECTION_ERRORS.has(e.code))));
}

/** A selected `messages` row, as mysql2 types its results. */
interface MessageDbRow extends MessageRowFields, RowDataPacket {}

/** Rows per multi-row INSERT (16 placeholders each, well under the protocol's limit). */
const INSERT_CHUNK = 500;

export class MysqlArchiveStore extends QueuedArchiveWrites implements ArchiveStore {
  readonly backend = 'mysql' as const;
  /** The writer's pool (migrations, batches, spool replay). */
  private pool: Pool | null = null;
  private readPool: Pool | null = null;
  private ready = false;
  private lastError: string | null = 'not started';
  protected readonly batcher: WriteBatcher<ArchiveOp>;
  private readonly spool: Spool;
  /** Writes neither MySQL nor the spool's disk took, newest last; replayed after the spool. */
  private heldInMemory: ArchiveOp[] = [];
  private heldDropped = 0;
  private spoolError: string | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Serialises every write and spool replay, so order is kept. */
  private chain: Promise<unknown> = Promise.resolve();
  private schemaError: ArchiveSchemaError | null = null;
  /** The schema version after migrating (tests may stop before the inverted index exists). */
  private schemaVersion = 0;
  /**
   * innodb_autoinc_lock_mode 0 or 1 and an increment of 1: a multi-row INSERT gets consecutive
   * ids, so new rows' pks follow from insertId. Otherwise (mode 2, e.g. Galera) they are read back.
   */
  private consecutiveIds = false;
  private readonly migrator: MysqlMigrator;
  /** The newest migration this code knows (tests: lower, to play an older release). */
  private readonly codeLevel: number;
  /** A schema upgrade running in the background (migrateInBackground). */
  private migration: Promise<void> | null = null;

  constructor(private readonly opts: MysqlStoreOptions) {
    super(opts.logger);
    this.codeLevel = opts.targetVersion ?? latestVersion(MYSQL_MIGRATIONS);
    this.migrator = new MysqlMigrator({
      migrations: MYSQL_MIGRATIONS,
      codeLevel: this.codeLevel,
      logger: opts.logger,
      pool: () => this.pool!,
      backfillBatch: opts.backfillBatch,
      lockTtlMs: opts.migrationLockTtlMs,
      pollMs: opts.migrationPollMs,
      beforeMigration: opts.beforeMigration,
      stopped: () => this.closed,
    });
    this.spool = new Spool(opts.spoolFile, opts.spoolMaxBytes ?? DEFAULT_SPOOL_MAX_BYTES);
    this.batcher = new WriteBatcher<ArchiveOp>({
      windowMs: opts.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS,
      maxBatch: opts.maxBatch ?? 2000,
      write: (batch) => this.exclusive(() => this.writeOrSpool(batch)),
      onError: (err, batch) => opts.logger.error({ err: (err as Error).message, ops: batch.length }, 'archive: MySQL batch lost'),
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  async init(): Promise<void> {
    // Separate pools: slow searches can never take the connections the writer needs.
    this.pool = this.createPool(2);
    this.readPool = this.createPool(4);
    try {
      await this.connect();
    } catch (err) {
      if (err instanceof ArchiveSchemaError) {
        await this.endPools();
        throw err;
      }
      this.markDown(err, 'archive: MySQL unreachable at start; messages are kept in the local spool until it is back');
    }
  }

  private createPool(connectionLimit: number): Pool {
    return mysql.createPool({ uri: this.opts.url, connectTimeout: 5000, charset: 'utf8mb4', supportBigNumbers: true, enableKeepAlive: true, connectionLimit });
  }

  /**
   * Fresh pools for each try after an outage: connections of a server that died or hung
   * may sit in the old one half-open or mid-reset, and would hold every slot of the pool.
   */
  private renewPools(): void {
    const old = [this.pool, this.readPool];
    this.pool = this.createPool(2);
    this.readPool = this.createPool(4);
    for (const pool of old) void pool?.end().catch(() => undefined);
  }

  /** Check the server, migrate (now or in the background), then replay the spool. */
  private async connect(): Promise<void> {
    const conn = await this.acquire().catch(async (err: { code?: string }) => {
      if (err?.code !== 'ER_BAD_DB_ERROR') throw err;
      // The URL names a database that does not exist yet: create it, as the SQLite file would be.
      await this.createDatabase();
      return this.pool!.getConnection();
    });
    try {
      // The migrations themselves may take long (backfill); only the first answer is bounded.
      await this.guard(conn.query('SELECT 1'), conn);
      try {
        this.schemaVersion = (await this.migrator.prepare(conn)).version;
      } catch (err) {
        if (err instanceof ArchiveSchemaError) this.schemaError = err;
        throw err;
      }
      const [mode] = await conn
        .query<RowDataPacket[]>('SELECT @@innodb_autoinc_lock_mode AS m, @@auto_increment_increment AS i')
        .catch(() => [[{ m: 2, i: 1 }] as RowDataPacket[]]);
      this.consecutiveIds = Number(mode[0]?.m) <= 1 && Number(mode[0]?.i) === 1;
    } finally {
      conn.release();
    }
    if (this.schemaVersion < this.codeLevel) {
      if (this.opts.migrateInBackground) {
        this.migrateInBackground();
        return;
      }
      this.schemaVersion = await this.migrator.run();
    }
    await this.becomeReady();
  }

  private async becomeReady(): Promise<void> {
    this.migrator.progress = null;
    this.ready = true;
    this.lastError = null;
    this.opts.logger.info('archive: MySQL ready');
    await this.exclusive(() => this.replaySpool());
  }

  /** Serve while the schema is upgraded: ready (and the spool replayed) once it is done. */
  private migrateInBackground(): void {
    if (this.migration) return;
    this.lastError = 'the archive schema is being upgraded';
    this.migration = this.migrator
      .run()
      .then(async (version) => {
        this.schemaVersion = version;
        await this.becomeReady();
      })
      .catch((err: unknown) => {
        this.migrator.progress = null;
        if (this.closed) return;
        this.markDown(err, 'archive: MySQL schema upgrade interrupted; it is tried again');
      })
      .finally(() => {
        this.migration = null;
      });
  }

  private async endPools(): Promise<void> {
    await Promise.all([this.pool?.end(), this.readPool?.end()].map((p) => p?.catch(() => undefined)));
    this.pool = this.readPool = null;
  }

  private async createDatabase(): Promise<void> {
    const url = new URL(this.opts.url);
    const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!name) throw new Error('WA_BRIDGE_DB_URL names no database');
    url.pathname = '/';
    const admin = await mysql.createConnection({ uri: url.toString(), connectTimeout: 5000 });
    try {
      await admin.query(`CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
      this.opts.logger.info({ database: name }, 'archive: MySQL database created');
    } finally {
      await admin.end();
    }
  }

  private get hasTerms(): boolean {
    return this.schemaVersion >= MYSQL_BACKFILL_VERSION;
  }

  private async reindex(conn: PoolConnection, slot: number, pk: number, m: StoredMessage): Promise<void> {
    if (!this.hasTerms) return;
    await unindexMessage(conn, slot, pk);
    await indexMessages(conn, [indexed(slot, pk, m)]);
  }

  private markDown(err: unknown, message: string): void {
    const wasReady = this.ready;
    this.ready = false;
    this.lastError = (err as Error).message || String((err as { code?: string }).code ?? err);
    if (wasReady || !this.retryTimer) this.opts.logger.warn({ err: this.lastError }, message);
    if (!this.retryTimer && !this.closed) {
      this.retryTimer = setInterval(() => void this.retry(), this.opts.retryMs ?? 5000);
      this.retryTimer.unref();
    }
  }

  private retrying = false;
  private async retry(): Promise<void> {
    if (this.retrying || this.closed) return;
    this.retrying = true;
    try {
      this.renewPools();
      await this.connect();
      // The spool replay inside connect() may have failed and marked the store down again: then
      // keep this timer (clearing it left the archive down for good, writes only spooled).
      if (!this.ready && !this.migration) return;
      if (this.retryTimer) clearInterval(this.retryTimer);
      this.retryTimer = null;
    } catch (err) {
      this.lastError = (err as Error).message;
      if (err instanceof ArchiveSchemaError) this.opts.logger.error({ err: this.lastError }, 'archive: MySQL schema is newer than this bridge');
    } finally {
      this.retrying = false;
    }
  }

  // ---- writing --------------------------------------------------------------------------------

  private async writeOrSpool(batch: ArchiveOp[]): Promise<void> {
    if (!this.ready || !this.spool.isEmpty || this.heldInMemory.length > 0) {
      await this.toSpool(batch);
      if (this.ready) await this.replaySpool();
      return;
    }
    try {
      await this.applyOps(batch);
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      this.markDown(err, 'archive: MySQL went away; messages are kept in the local spool until it is back');
      await this.toSpool(batch);
    }
  }

  /**
   * The spool keeps order: writes held in memory (its disk refused them) are older than anything
   * appended later, so they go to the spool first once the disk takes writes again.
   */
  private async toSpool(batch: ArchiveOp[]): Promise<void> {
    try {
      if (this.heldInMemory.length > 0) {
        const held = this.heldInMemory;
        this.heldDropped += await this.spool.append(held);
        this.heldInMemory = [];
        this.opts.logger.info({ ops: held.length }, 'archive: the disk takes writes again; writes held in memory moved to the local spool');
      }
      const refused = await this.spool.append(batch);
      this.spoolError = null;
      if (refused > 0) this.opts.logger.error({ refused, dropped: this.spool.dropped }, 'archive: local spool is full; writes dropped');
    } catch (err) {
      const max = this.opts.maxHeldInMemory ?? DEFAULT_HELD_IN_MEMORY;
      const room = Math.max(0, max - this.heldInMemory.length);
      const kept = batch.slice(0, room);
      this.heldInMemory.push(...kept);
      const dropped = batch.length - kept.length;
      this.heldDropped += dropped;
      const first = this.spoolError === null;
      this.spoolError = `the local spool cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
      if (first) this.opts.logger.error({ err: (err as Error).message }, 'archive: MySQL away and the local spool cannot be written (full disk?); holding writes in memory');
      if (dropped > 0) this.opts.logger.error({ dropped, held: this.heldInMemory.length }, 'archive: writes held in memory reached their bound; writes dropped');
    }
  }

  private async replaySpool(): Promise<void> {
    if ((this.spool.isEmpty && this.heldInMemory.length === 0) || !this.ready) return;
    const held = this.heldInMemory.length;
    const ops = [...(this.spool.isEmpty ? [] : await this.spool.readAll()), ...this.heldInMemory];
    try {
      for (let i = 0; i < ops.length; i += 1000) await this.applyOps(ops.slice(i, i + 1000));
      await this.spool.clear();
      this.heldInMemory.splice(0, held);
      this.spoolError = null;
      this.opts.logger.info({ ops: ops.length }, 'archive: local spool written to MySQL');
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      this.markDown(err, 'archive: MySQL went away while the spool was replayed');
    }
  }

  /** One transaction per batch; a batch the server rejects is retried op by op to isolate the bad one. */
  /**
   * Bound a call to the server: past the write timeout (or with too many writes waiting behind it)
   * the connection is destroyed — a hung server never answers — and the call fails as a lost server.
   */
  private guard<T>(work: Promise<T>, conn: PoolConnection | null): Promise<T> {
    const timeoutMs = this.opts.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    const maxWaiting = this.opts.maxWaitingWrites ?? DEFAULT_MAX_WAITING_WRITES;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setInterval(() => {
        const waited = Date.now() - started;
        if (waited < timeoutMs && this.batcher.size <= maxWaiting) return;
        conn?.destroy();
        reject(new HungServerError(`MySQL did not answer within ${waited} ms (${this.batcher.size} writes waiting); writes go to the local spool`));
      }, Math.min(100, timeoutMs));
    });
    work.catch(() => undefined);
    return Promise.race([work, hung]).finally(() => clearInterval(timer));
  }

  /** A writer connection, within the write timeout (one that arrives later goes back to the pool). */
  private acquire(): Promise<PoolConnection> {
    let gaveUp = false;
    const getting = this.pool!.getConnection();
    getting.then((c) => gaveUp && c.release(), () => undefined);
    return this.guard(getting, null).catch((err: unknown) => {
      gaveUp = true;
      throw err;
    });
  }

  private async applyOps(ops: ArchiveOp[]): Promise<void> {
    const conn = await this.acquire();
    try {
      try {
        await this.guard(
          (async () => {
            await conn.beginTransaction();
            await this.applyAll(conn, ops);
            await conn.commit();
          })(),
          conn,
        );
        return;
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        if (isConnectionError(err)) throw err;
        this.opts.logger.warn({ err: (err as Error).message }, 'archive: batch rejected; writing it one by one');
      }
      for (const op of ops) {
        try {
          await this.applyAll(conn, [op]);
        } catch (err) {
          if (isConnectionError(err)) throw err;
          this.opts.logger.warn({ op: op.op, err: (err as Error).message }, 'archive: write rejected');
        }
      }
    } finally {
      conn.release();
    }
  }

  private async applyAll(conn: PoolConnection, ops: ArchiveOp[]): Promise<void> {
    let run: { slot: number; message: StoredMessage }[] = [];
    const flushRun = async () => {
      if (run.length) await this.writeMessages(conn, run);
      run = [];
    };
    for (const op of ops) {
      if (op.op === 'message') {
        run.push({ slot: op.slot, message: toStored(op.message) });
        continue;
      }
      await flushRun();
      await this.applyOther(conn, op);
    }
    await flushRun();
  }

  private async applyOther(conn: PoolConnection, op: Exclude<ArchiveOp, { op: 'message' }>): Promise<void> {
    switch (op.op) {
      case 'ack':
        await conn.query(
          'UPDATE messages SET ack = ? WHERE slot = ? AND id = ? AND (CASE WHEN ack = 0 THEN 1.5 ELSE ack END) < ?',
          [op.ack, op.slot, op.id, ackRank(op.ack)],
        );
        return;
      case 'edit': {
        const current = (await this.loadStored(conn, op.slot, [op.id])).get(op.id);
        if (!current) return;
        const edited = { ...current.message, body: op.body };
        await conn.query('UPDATE messages SET body = ?, edited_at = ? WHERE pk = ?', [op.body, op.at, current.pk]);
        await this.reindex(conn, op.slot, current.pk, edited);
        return;
      }
      case 'revoke':
        await conn.query('UPDATE messages SET revoked_at = COALESCE(revoked_at, ?) WHERE slot = ? AND id = ?', [op.at, op.slot, op.id]);
        return;
      case 'vote': {
        const v = op.vote;
        // `selected` is assigned first, so it still compares against the old timestamp.
        await conn.query(
          `INSERT INTO poll_votes (slot, message_id, voter, selected, timestamp) VALUES (?, ?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE selected = IF(VALUES(timestamp) >= timestamp, VALUES(selected), selected),
             timestamp = GREATEST(timestamp, VALUES(timestamp))`,
          [op.slot, String(v.messageId), String(v.voter), JSON.stringify(v.selectedOptions ?? []), Math.trunc(Number(v.timestamp) || 0)],
        );
        return;
      }
      case 'media':
        await conn.query(`REPLACE INTO media (slot, ${MEDIA_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [op.slot, ...mediaValues(op.media)]);
        return;
    }
  }

  private async loadStored(conn: PoolConnection, slot: number, ids: string[]): Promise<Map<string, { pk: number; message: StoredMessage }>> {
    const out = new Map<string, { pk: number; message: StoredMessage }>();
    if (!ids.length) return out;
    const [rows] = await conn.query<MessageDbRow[]>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.slot = ? AND m.id IN (?)`, [slot, ids]);
    const options = await this.pollOptionsFor(conn, slot, rows.filter((r) => r.type === 'poll').map((r) => r.id));
    for (const r of rows) out.set(r.id, { pk: Number(r.pk), message: storedFromRow(r, options.get(r.id) ?? null) });
    return out;
  }

  private async pollOptionsFor(conn: Pool | PoolConnection, slot: number, ids: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!ids.length) return out;
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT message_id, name FROM poll_options WHERE slot = ? AND message_id IN (?) ORDER BY message_id, idx',
      [slot, ids],
    );
    for (const r of rows) {
      const list = out.get(r.message_id as string) ?? [];
      list.push(r.name as string);
      out.set(r.message_id as string, list);
    }
    return out;
  }

  private async writeMessages(conn: PoolConnection, run: { slot: number; message: StoredMessage }[]): Promise<void> {
    // Collapse repeats inside the batch first, then split into new rows and known ones.
    const bySlot = new Map<number, Map<string, StoredMessage>>();
    for (const { slot, message } of run) {
      const slotMap = bySlot.get(slot) ?? new Map<string, StoredMessage>();
      bySlot.set(slot, slotMap);
      const seen = slotMap.get(message.id);
      slotMap.set(message.id, seen ? (mergeStored(seen, message) ?? seen) : message);
    }
    for (const [slot, messages] of bySlot) {
      const existing = await this.loadStored(conn, slot, [...messages.keys()]);
      const fresh: StoredMessage[] = [];
      for (const m of messages.values()) {
        const known = existing.get(m.id);
        if (!known) {
          fresh.push(m);
          continue;
        }
        const merged = mergeStored(known.message, m);
        if (!merged) continue;
        await conn.query(
          `UPDATE messages SET chat_id = ?, timestamp = ?, type = ?, body = ?, caption = ?, filename = ?, mimetype = ?,
             has_media = ?, sender_name = ?, author = ?, ack = ?, seq = ? WHERE pk = ?`,
          [merged.chatId, merged.timestamp, merged.type, merged.body, merged.caption, merged.filename, merged.mimetype,
            merged.hasMedia, merged.senderName, merged.author, merged.ack, merged.seq, known.pk],
        );
        if (!known.message.pollOptions && merged.pollOptions) await this.insertPollOptions(conn, slot, [merged]);
        if (searchChanged(known.message, merged) || known.message.timestamp !== merged.timestamp) {
          await this.reindex(conn, slot, known.pk, merged);
        }
      }
      for (let i = 0; i < fresh.length; i += INSERT_CHUNK) {
        const chunk = fresh.slice(i, i + INSERT_CHUNK);
        // search_text fed the FULLTEXT index of schema versions 1-3; the column stays, empty.
        const values = chunk.map((m) => [
          slot, m.id, m.chatId, m.fromMe, m.timestamp, m.type, m.body, m.caption, m.filename, m.mimetype,
          m.hasMedia, m.senderName, m.author, m.ack, '', m.seq,
        ]);
        const [result] = await conn.query<ResultSetHeader>(
          `INSERT IGNORE INTO messages (slot, id, chat_id, from_me, timestamp, type, body, caption, filename, mimetype,
             has_media, sender_name, author, ack, search_text, seq) VALUES ?`,
          [values],
        );
        if (!this.hasTerms) continue;
        if (this.consecutiveIds && result.affectedRows === chunk.length && result.insertId > 0) {
          // Every row went in, and one multi-row INSERT gets consecutive ids in this lock mode.
          await indexMessages(conn, chunk.map((m, k) => indexed(slot, result.insertId + k, m)));
        } else {
          await this.indexFresh(conn, slot, chunk);
        }
      }
      await this.insertPollOptions(conn, slot, fresh);
    }
  }

  /** Index rows just inserted (their pks come back from the unique key, whatever the auto-increment mode). */
  private async indexFresh(conn: PoolConnection, slot: number, chunk: StoredMessage[]): Promise<void> {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT pk, id FROM messages WHERE slot = ? AND id IN (?)', [
      slot, chunk.map((m) => m.id),
    ]);
    const pkById = new Map(rows.map((r) => [String(r.id), Number(r.pk)]));
    const items: IndexedMessage[] = [];
    for (const m of chunk) {
      const pk = pkById.get(m.id);
      if (pk !== undefined) items.push(indexed(slot, pk, m));
    }
    await indexMessages(conn, items);
  }

  private async insertPollOptions(conn: PoolConnection, slot: number, messages: StoredMessage[]): Promise<void> {
    const values = messages.flatMap((m) => (m.pollOptions ?? []).map((name, idx) => [slot, m.id, idx, name]));
    if (values.length) await conn.query('INSERT IGNORE INTO poll_options (slot, message_id, idx, name) VALUES ?', [values]);
  }

  // ---- the ArchiveStore surface ---------------------------------------------------------------

  async flush(): Promise<void> {
    await this.batcher.flush();
    await this.exclusive(() => this.replaySpool());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    // Held in memory (MySQL away, disk full): one more try at the spool, so a restart finds them.
    if (this.heldInMemory.length > 0) await this.exclusive(() => this.toSpool([]));
    if (this.heldInMemory.length > 0) this.opts.logger.error({ lost: this.heldInMemory.length }, 'archive: stopping with writes only in memory (MySQL away, spool not writable); they are lost');
    this.closed = true;
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
    await this.endPools();
  }

  private async read<T extends RowDataPacket[]>(what: string, sql: string, params: unknown[]): Promise<T> {
    return this.readWith(what, async (pool) => (await pool.query<T>(sql, params))[0]);
  }

  /**
   * Run reads on a read connection, within the read timeout: a hung server keeps the connection
   * but never answers, so the connection is destroyed and the caller gets a clear 503. A lost
   * server also starts the retry loop; a merely slow answer does not mark it down.
   */
  private async readWith<T>(what: string, run: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const upgrading = this.migrator.progress;
    if (upgrading && !this.ready) {
      throw new BridgeError('ARCHIVE_MIGRATING', `the archive is being upgraded (${describeMigration(upgrading)}); try again when /api/health shows it done`);
    }
    const unavailable = (why: string, cause?: unknown) =>
      new BridgeError('ARCHIVE_UNAVAILABLE', `the archive database (MySQL) is unreachable: ${why}`, { retryAfter: UNAVAILABLE_RETRY_AFTER, cause });
    if (!this.readPool || !this.ready) throw unavailable(this.lastError ?? 'not connected');
    if (!this.hasTerms && what === 'search') {
      throw new BridgeError('INTERNAL', 'the archive search index is not built yet (schema older than version 3)');
    }
    const timeoutMs = this.opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    let conn: PoolConnection | null = null;
    let gaveUp = false;
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        gaveUp = true;
        conn?.destroy();
        reject(new HungServerError(`no answer within ${timeoutMs} ms (${what})`));
      }, timeoutMs);
    });
    const work = (async () => {
      const c = await this.readPool!.getConnection();
      // A connection that arrives after the caller gave up goes straight back.
      if (gaveUp) {
        c.release();
        throw new HungServerError('gave up');
      }
      conn = c;
      try {
        return await timed(this.opts.logger, what, () => run(c));
      } finally {
        if (!gaveUp) c.release();
      }
    })();
    work.catch(() => undefined);
    try {
      return await Promise.race([work, hung]);
    } catch (err) {
      if (err instanceof HungServerError) {
        this.opts.logger.warn({ what, timeoutMs }, 'archive: MySQL read timed out');
        throw unavailable(err.message, err);
      }
      if (isConnectionError(err)) {
        this.markDown(err, 'archive: MySQL went away; messages are kept in the local spool until it is back');
        throw unavailable(this.lastError ?? String((err as Error).message), err);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async toRows(rows: MessageDbRow[]): Promise<ArchiveRow[]> {
    const polls = rows.filter((r) => r.type === 'poll');
    const options = new Map<string, string[]>();
    for (const r of polls) {
      const found = await this.readWith('pollOptions', (conn) => this.pollOptionsFor(conn, r.slot, [r.id]));
      options.set(`${r.slot}:${r.id}`, found.get(r.id) ?? []);
    }
    return rows.map((r) => archiveRowFrom(r, options.get(`${r.slot}:${r.id}`) ?? null));
  }

  async listMessages(slot: number, chatId: string, limit: number, offset: number): Promise<ArchiveRow[]> {
    checkPage(limit, offset);
    // Deferred join: page through the secondary index, then fetch only the rows shown.
    const rows = await this.read<MessageDbRow[]>(
      'listMessages',
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN (
         SELECT pk FROM messages WHERE slot = ? AND chat_id = ? ORDER BY seq DESC, pk DESC LIMIT ? OFFSET ?
       ) p ON p.pk = m.pk ORDER BY m.seq DESC, m.pk DESC`,
      [slot, String(chatId), limit, offset],
    );
    return this.toRows(rows);
  }

  async listChats(slot: number): Promise<ChatRow[]> {
    if (!validSlot(slot)) throw new BridgeError('INVALID_SLOT', 'slot must be a positive integer');
    const rows = await this.read<(ChatListDbRow & RowDataPacket)[]>('listChats', CHAT_LIST_SQL, [slot, slot, slot, MAX_ARCHIVED_CHATS]);
    return rows.map(archivedChatRow);
  }

  async getMessage(slot: number, messageId: string): Promise<ArchiveRow | null> {
    const rows = await this.read<MessageDbRow[]>('getMessage', `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.slot = ? AND m.id = ?`, [
      slot, String(messageId),
    ]);
    return rows.length ? (await this.toRows(rows))[0]! : null;
  }

  async getMedia(slot: number, messageIds: string[]): Promise<MediaRecord[]> {
    const ids = checkIds(messageIds);
    if (!ids.length) return [];
    const rows = await this.read<(MediaDbRow & RowDataPacket)[]>('getMedia', `SELECT ${MEDIA_COLUMNS} FROM media WHERE slot = ? AND message_id IN (?)`, [slot, ids]);
    return rows.map(mediaFromRow);
  }

  async search(query: SearchQuery): Promise<ArchiveRow[]> {
    const q = checkSearch(query);
    const planned = planQuery(q.query);
    if (!planned) return [];
    const window = Math.max(MYSQL_RANK_WINDOW, q.offset + q.limit);
    // Each slot ranks its own newest hits; across slots the lists are merged on the same order.
    const slots = q.slot === undefined ? await this.readWith('search', (conn) => indexedSlots(conn)) : [q.slot];
    const perSlot = await Promise.all(slots.map((slot) => this.readWith('search', (conn) => searchSlot(conn, slot, planned, window, q))));
    const hits = perSlot.flat();
    // The hits are each slot's newest `window`, so "newest first" is a sort of the same list.
    const ordered = q.order === 'newest' ? hits.sort((a, b) => b.ts - a.ts || b.pk - a.pk || a.slot - b.slot) : rankHits(hits);
    const page = ordered.slice(q.offset, q.offset + q.limit);
    if (page.length === 0) return [];
    const pks = page.map((h: Hit) => h.pk);
    const rows = await this.read<MessageDbRow[]>('search rows', `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.pk IN (?)`, [pks]);
    const byPk = new Map(rows.map((r) => [Number(r.pk), r]));
    return this.toRows(pks.flatMap((pk) => (byPk.has(pk) ? [byPk.get(pk)!] : [])));
  }

  async getPollTally(slot: number, messageId: string): Promise<PollTally> {
    const rows = await this.read<RowDataPacket[]>(
      'pollTally',
      'SELECT voter, selected, timestamp FROM poll_votes WHERE slot = ? AND message_id = ? ORDER BY timestamp, voter',
      [slot, String(messageId)],
    );
    return {
      messageId,
      votes: rows.map((r) => ({ voter: r.voter as string, selectedOptions: JSON.parse(r.selected as string) as string[], timestamp: Number(r.timestamp) })),
    };
  }

  /** Bench only: the same query as a naive LIKE scan. */
  /**
   * Bench only: the same query answered without the index — every message of the slot, newest
   * first, its fields normalised and matched by the same rule. Returns the hit count (up to `limit`).
   */
  async likeScan(slot: number, query: string, limit: number): Promise<number> {
    const parsed = parseSearchQuery(query);
    if (!parsed) return 0;
    const rows = await this.read<RowDataPacket[]>(
      'likeScan',
      `SELECT m.body, m.caption, m.filename,
         (SELECT GROUP_CONCAT(p.name SEPARATOR '\n') FROM poll_options p WHERE p.slot = m.slot AND p.message_id = m.id) AS polls
       FROM messages m WHERE m.slot = ? ORDER BY m.timestamp DESC`,
      [slot],
    );
    let hits = 0;
    for (const r of rows) {
      const text = searchableText({ body: r.body, caption: r.caption, filename: r.filename, pollOptions: r.polls ? String(r.polls).split('\n') : null });
      if (matchesQuery(parsed, text) && ++hits >= limit) break;
    }
    return hits;
  }

  health(): ArchiveHealth {
    const upgrading = this.ready ? null : this.migrator.progress;
    const away = this.ready ? null : this.lastError;
    return {
      ok: this.ready && this.spool.isEmpty && this.heldInMemory.length === 0,
      backend: 'mysql',
      error:
        this.schemaError?.message ??
        (upgrading
          ? describeMigration(upgrading)
          : this.spoolError && away
            ? `${away}; ${this.spoolError}: ${this.heldInMemory.length} writes held in memory`
            : away),
      pending: this.batcher.size + this.spool.size + this.heldInMemory.length,
      heldInMemory: this.heldInMemory.length,
      dropped: this.spool.dropped + this.heldDropped,
      ...(upgrading ? { status: 'migrating' as const, migration: { ...upgrading } } : {}),
    };
  }
}

function indexed(slot: number, pk: number, m: StoredMessage): IndexedMessage {
  return { slot, pk, timestamp: m.timestamp, parts: { body: m.body, caption: m.caption, filename: m.filename, pollOptions: m.pollOptions } };
}

/** Whether a merge changed anything the index holds. */
function searchChanged(a: StoredMessage, b: StoredMessage): boolean {
  return (
    a.body !== b.body || a.caption !== b.caption || a.filename !== b.filename ||
    JSON.stringify(a.pollOptions ?? null) !== JSON.stringify(b.pollOptions ?? null)
  );
}

