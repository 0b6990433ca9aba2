// Synchronous SQLite archive: the statements behind the SQLite store. It runs inside worker
// threads (sqlite-worker.ts) so neither a write burst nor a search ever blocks the event loop.
import Database from 'better-sqlite3';
import type { ArchiveRow, PollTally, SearchOrder } from './types.js';
import { mergeStored, toStored, ackRank, type ArchiveOp, type StoredMessage } from './ops.js';
import { buildFtsQuery, matchesQuery, parseSearchQuery, searchableText } from './normalise.js';
import { FTS_TABLE_PATTERN, ftsTable, ftsTableSql, migrateSqlite } from './sqlite-schema.js';
import { MESSAGE_COLUMNS, archiveRowFrom, storedFromRow, type MessageDbRow } from './message-row.js';
import { MEDIA_COLUMNS, mediaFromRow, mediaValues, type MediaDbRow } from './media-row.js';
import type { MediaRecord } from '../domain/index.js';
import type { SearchScope } from './validate.js';
import { CHAT_LIST_SQL, MAX_ARCHIVED_CHATS, type ChatListDbRow } from './chat-list.js';

interface ScopeSql {
  sql: string;
  params: Record<string, string | number>;
}

/** A search's chat and time range as conditions on the joined message row `s`. */
function scopeSql(scope: SearchScope): ScopeSql {
  let sql = '';
  const params: Record<string, string | number> = {};
  if (scope.chatId !== undefined) {
    sql += ' AND s.chat_id = @chatId';
    params.chatId = scope.chatId;
  }
  if (scope.from !== undefined) {
    sql += ' AND s.timestamp >= @from';
    params.from = scope.from;
  }
  if (scope.to !== undefined) {
    sql += ' AND s.timestamp <= @to';
    params.to = scope.to;
  }
  return { sql, params };
}

/** Search ranks (bm25) at most this many of the newest hits: ranking 700k hits of a common word takes a second. */
export const RANK_WINDOW = 1000;

export interface SqliteDbOptions {
  readonly?: boolean;
  /** Stop migrating at this version (tests build an older schema this way). */
  targetVersion?: number;
}

export interface ApplyResult {
  applied: number;
  failed: number;
  errors: string[];
}

export class SqliteArchiveDb {
  private readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(readonly file: string, opts: SqliteDbOptions = {}) {
    this.db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536');
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      // NORMAL in WAL: a committed batch survives a process crash; only a power cut may lose the last one.
      this.db.pragma('synchronous = NORMAL');
      migrateSqlite(this.db, file, opts.targetVersion);
    }
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  close(): void {
    this.db.close();
  }

  // ---- writes -------------------------------------------------------------------------------

  /** Apply a batch in one transaction; a bad op is skipped and reported, never the whole batch. */
  apply(ops: ArchiveOp[]): ApplyResult {
    const result: ApplyResult = { applied: 0, failed: 0, errors: [] };
    const run = this.db.transaction(() => {
      for (const op of ops) {
        try {
          this.applyOne(op);
          result.applied++;
        } catch (err) {
          // Storage trouble is no bad op: the whole batch fails, and the store keeps it for later.
          if (isStorageError(err)) throw err;
          result.failed++;
          if (result.errors.length < 5) result.errors.push(`${op.op}: ${(err as Error).message}`);
        }
      }
    });
    run.immediate();
    return result;
  }

  private applyOne(op: ArchiveOp): void {
    switch (op.op) {
      case 'message':
        return this.saveMessage(op.slot, toStored(op.message), op.text);
      case 'ack':
        this.stmt(
          'UPDATE messages SET ack = ? WHERE slot = ? AND id = ? AND (CASE WHEN ack = 0 THEN 1.5 ELSE ack END) < ?',
        ).run(op.ack, op.slot, op.id, ackRank(op.ack));
        return;
      case 'edit': {
        const row = this.findRow(op.slot, op.id);
        if (!row) return;
        this.stmt('UPDATE messages SET body = ?, edited_at = ? WHERE pk = ?').run(op.body, op.at, row.pk);
        this.reindex(row.pk, op.slot, { ...this.toStoredFromRow(row), body: op.body });
        return;
      }
      case 'revoke':
        this.stmt('UPDATE messages SET revoked_at = COALESCE(revoked_at, ?) WHERE slot = ? AND id = ?').run(op.at, op.slot, op.id);
        return;
      case 'vote': {
        const v = op.vote;
        this.stmt(
          `INSERT INTO poll_votes (slot, message_id, voter, selected, timestamp) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (slot, message_id, voter) DO UPDATE SET selected = excluded.selected, timestamp = excluded.timestamp
           WHERE excluded.timestamp >= poll_votes.timestamp`,
        ).run(op.slot, String(v.messageId), String(v.voter), JSON.stringify(v.selectedOptions ?? []), Math.trunc(Number(v.timestamp) || 0));
        return;
      }
      case 'media':
        this.stmt(`INSERT OR REPLACE INTO media (slot, ${MEDIA_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(op.slot, ...mediaValues(op.media));
        return;
    }
  }

  private saveMessage(slot: number, m: StoredMessage, precomputed?: string): void {
    const inserted = this.stmt(
      `INSERT INTO messages (slot, id, chat_id, from_me, timestamp, type, body, caption, filename, mimetype,
         has_media, sender_name, author, ack, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (slot, id) DO NOTHING RETURNING pk`,
    ).get(slot, m.id, m.chatId, m.fromMe, m.timestamp, m.type, m.body, m.caption, m.filename, m.mimetype,
      m.hasMedia, m.senderName, m.author, m.ack, m.seq) as { pk: number } | undefined;
    if (inserted) {
      this.savePollOptions(slot, m);
      const text = precomputed ?? searchableText(m);
      if (text) this.indexText(slot, inserted.pk, text);
      return;
    }
    // Seen before: fill gaps only.
    const row = this.findRow(slot, m.id)!;
    const current = this.toStoredFromRow(row);
    const merged = mergeStored(current, m);
    if (!merged) return;
    this.stmt(
      `UPDATE messages SET chat_id = ?, timestamp = ?, type = ?, body = ?, caption = ?, filename = ?, mimetype = ?,
         has_media = ?, sender_name = ?, author = ?, ack = ?, seq = ? WHERE pk = ?`,
    ).run(merged.chatId, merged.timestamp, merged.type, merged.body, merged.caption, merged.filename, merged.mimetype,
      merged.hasMedia, merged.senderName, merged.author, merged.ack, merged.seq, row.pk);
    if (!current.pollOptions && merged.pollOptions) this.savePollOptions(slot, merged);
    if (searchableText(current) !== searchableText(merged)) this.reindex(row.pk, slot, merged);
  }

  private savePollOptions(slot: number, m: StoredMessage): void {
    if (!m.pollOptions) return;
    const insert = this.stmt('INSERT OR IGNORE INTO poll_options (slot, message_id, idx, name) VALUES (?, ?, ?, ?)');
    m.pollOptions.forEach((name, idx) => insert.run(slot, m.id, idx, name));
  }

  private reindex(pk: number, slot: number, m: StoredMessage): void {
    this.ensureFts(slot);
    this.stmt(`DELETE FROM ${ftsTable(slot)} WHERE rowid = ?`).run(pk);
    const text = searchableText(m);
    if (text) this.indexText(slot, pk, text);
  }

  private readonly ftsReady = new Set<number>();

  private ensureFts(slot: number): void {
    if (this.ftsReady.has(slot)) return;
    this.db.exec(ftsTableSql(slot));
    this.ftsReady.add(slot);
  }

  private indexText(slot: number, pk: number, text: string): void {
    this.ensureFts(slot);
    this.stmt(`INSERT INTO ${ftsTable(slot)} (rowid, text) VALUES (?, ?)`).run(pk, text);
  }

  /** Slots that have a search index (some messages). */
  private indexedSlots(): number[] {
    const names = this.stmt("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'messages_fts_%'").pluck().all() as string[];
    return names.flatMap((n) => {
      const m = FTS_TABLE_PATTERN.exec(n);
      return m ? [Number(m[1])] : [];
    });
  }

  private findRow(slot: number, id: string): MessageDbRow | undefined {
    return this.stmt(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.slot = ? AND m.id = ?`).get(slot, id) as MessageDbRow | undefined;
  }

  private pollOptions(slot: number, id: string): string[] | null {
    const rows = this.stmt('SELECT name FROM poll_options WHERE slot = ? AND message_id = ? ORDER BY idx').all(slot, id) as { name: string }[];
    return rows.length ? rows.map((r) => r.name) : null;
  }

  private toStoredFromRow(r: MessageDbRow): StoredMessage {
    return storedFromRow(r, this.pollOptions(r.slot, r.id));
  }


  // ---- reads --------------------------------------------------------------------------------

  private toRow(r: MessageDbRow): ArchiveRow {
    return archiveRowFrom(r, r.type === 'poll' ? this.pollOptions(r.slot, r.id) : null);
  }


  listMessages(slot: number, chatId: string, limit: number, offset: number): ArchiveRow[] {
    // Page through the covering index first, then fetch only the rows shown (cheap deep offsets).
    const rows = this.stmt(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN (
         SELECT pk FROM messages WHERE slot = ? AND chat_id = ? ORDER BY seq DESC, pk DESC LIMIT ? OFFSET ?
       ) p ON p.pk = m.pk ORDER BY m.seq DESC, m.pk DESC`,
    ).all(slot, chatId, limit, offset) as MessageDbRow[];
    return rows.map((r) => this.toRow(r));
  }

  getMessage(slot: number, id: string): ArchiveRow | null {
    const row = this.findRow(slot, id);
    return row ? this.toRow(row) : null;
  }

  /** bm25 over the newest RANK_WINDOW hits of a slot (all hits when fewer), then newest first. */
  search(slot: number | undefined, query: string, limit: number, offset: number, order: SearchOrder = 'relevance', scope: SearchScope = {}): ArchiveRow[] {
    const match = buildFtsQuery(query);
    if (!match) return [];
    const indexed = this.indexedSlots();
    const slots = slot === undefined ? indexed : indexed.filter((s) => s === slot);
    // Each slot ranks its own hits; across slots the pages are merged on the same order.
    const within = scopeSql(scope);
    const hits = slots.flatMap((s) => (order === 'newest' ? this.newestHits(s, match, offset + limit, within) : this.rankedHits(s, match, offset + limit, within)));
    hits.sort((a, b) => (order === 'newest' ? 0 : a.score - b.score) || b.ts - a.ts || b.pk - a.pk);
    const page = hits.slice(offset, offset + limit).map((h) => h.pk);
    if (page.length === 0) return [];
    const rows = this.stmt(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.pk IN (SELECT value FROM json_each(?))`).all(
      JSON.stringify(page),
    ) as MessageDbRow[];
    const byPk = new Map(rows.map((r) => [r.pk, r]));
    return page.flatMap((pk) => {
      const row = byPk.get(pk);
      return row ? [this.toRow(row)] : [];
    });
  }

  /** The newest `count` hits of a slot, by message time. */
  private newestHits(slot: number, match: string, count: number, within: ScopeSql): { pk: number; score: number; ts: number }[] {
    const table = ftsTable(slot);
    return this.stmt(
      `SELECT f.rowid AS pk, 0 AS score, s.timestamp AS ts FROM ${table} f
       JOIN messages s ON s.pk = f.rowid
       WHERE ${table} MATCH @match${within.sql} ORDER BY s.timestamp DESC, f.rowid DESC LIMIT @count`,
    ).all({ match, count, ...within.params }) as { pk: number; score: number; ts: number }[];
  }

  private rankedHits(slot: number, match: string, count: number, within: ScopeSql): { pk: number; score: number; ts: number }[] {
    const table = ftsTable(slot);
    // The newest hits come straight off the index (rowid order); only they are scored and sorted.
    return this.stmt(
      `SELECT pk, score, ts FROM (
         SELECT f.rowid AS pk, bm25(${table}) AS score, s.timestamp AS ts FROM ${table} f
         JOIN messages s ON s.pk = f.rowid
         WHERE ${table} MATCH @match${within.sql} ORDER BY f.rowid DESC LIMIT @window
       ) ORDER BY score, ts DESC, pk DESC LIMIT @count`,
    ).all({ match, window: Math.max(RANK_WINDOW, count), count, ...within.params }) as { pk: number; score: number; ts: number }[];
  }

  /** Every chat of a slot, one row each (chat-list.ts). */
  chatList(slot: number): ChatListDbRow[] {
    return this.stmt(CHAT_LIST_SQL).all(slot, slot, slot, MAX_ARCHIVED_CHATS) as ChatListDbRow[];
  }

  /** Media records of these messages (those that have one). */
  getMedia(slot: number, ids: string[]): MediaRecord[] {
    const rows = this.stmt(`SELECT ${MEDIA_COLUMNS} FROM media WHERE slot = ? AND message_id IN (SELECT value FROM json_each(?))`).all(
      slot,
      JSON.stringify(ids),
    ) as MediaDbRow[];
    return rows.map(mediaFromRow);
  }

  pollTally(slot: number, messageId: string): PollTally {
    const rows = this.stmt(
      'SELECT voter, selected, timestamp FROM poll_votes WHERE slot = ? AND message_id = ? ORDER BY timestamp, voter',
    ).all(slot, messageId) as { voter: string; selected: string; timestamp: number }[];
    return {
      messageId,
      votes: rows.map((r) => ({ voter: r.voter, selectedOptions: JSON.parse(r.selected) as string[], timestamp: r.timestamp })),
    };
  }

  /**
   * For the bench: search without the index — every message of the slot, newest first, its
   * fields normalised and matched by the same rule. Returns the hit count (up to `limit`).
   */
  likeScan(slot: number, query: string, limit: number): number {
    const parsed = parseSearchQuery(query);
    if (!parsed) return 0;
    const rows = this.stmt(
      `SELECT m.body, m.caption, m.filename,
         (SELECT group_concat(p.name, char(10)) FROM poll_options p WHERE p.slot = m.slot AND p.message_id = m.id) AS polls
       FROM messages m WHERE m.slot = ? ORDER BY m.timestamp DESC`,
    ).iterate(slot) as Iterable<{ body: string; caption: string | null; filename: string | null; polls: string | null }>;
    let hits = 0;
    for (const r of rows) {
      const text = searchableText({ body: r.body, caption: r.caption, filename: r.filename, pollOptions: r.polls?.split('\n') });
      if (matchesQuery(parsed, text) && ++hits >= limit) break;
    }
    return hits;
  }
}

/** SQLite errors that say the disk or file failed, not that an op was wrong (full, I/O, locked, read-only). */
export function isStorageError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? '';
  return /^SQLITE_(FULL|IOERR|CANTOPEN|READONLY|BUSY|LOCKED|NOMEM|PROTOCOL)/.test(code);
}
