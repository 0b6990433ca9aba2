// The MySQL archive's own inverted index: `message_terms(slot, term, msg_rowid)` holds one row per
// distinct search token of a message (normalise.ts, the same rules as the query), with its count
// in the message (tf), the message's token count (dl) and timestamp (ts) for ranking.
//
// A query walks the newest rowids of its rarest word straight off the primary key
// (`ORDER BY msg_rowid DESC LIMIT n`), checks every other word by primary-key lookups and the
// word being typed by a prefix seek in the per-message index (`message_terms_doc`), and ranks only
// those newest RANK_WINDOW hits (BM25's term-frequency part, then newest). Its cost is bounded by
// the window, not by how common a word is, which InnoDB FULLTEXT could not do.
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { parseSearchQuery, searchableText } from './normalise.js';
import type { SearchScope } from './validate.js';

/** How many of the newest hits of a query are ranked (as the SQLite backend's RANK_WINDOW). */
export const MYSQL_RANK_WINDOW = 1000;
/** A prefix that matches more distinct words than this is walked as one range instead of word by word. */
export const MAX_PREFIX_WORDS = 48;

type Queryable = Pool | PoolConnection;

export interface TermRow {
  term: string;
  tf: number;
}

/** The index rows of one message's searchable text: distinct tokens, their counts, the token total. */
export function messageTerms(parts: Parameters<typeof searchableText>[0]): { terms: TermRow[]; dl: number } {
  const text = searchableText(parts);
  if (!text) return { terms: [], dl: 0 };
  const counts = new Map<string, number>();
  let dl = 0;
  for (const t of text.split(' ')) {
    if (!t) continue;
    dl++;
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return { terms: [...counts].map(([term, tf]) => ({ term, tf: Math.min(tf, 65535) })), dl: Math.min(dl, 65535) };
}

export interface IndexedMessage {
  slot: number;
  pk: number;
  timestamp: number;
  parts: Parameters<typeof searchableText>[0];
}

/** Rows per multi-row INSERT into message_terms. */
const TERM_CHUNK = 8000;

/** Write the index rows of messages (new ones, or re-indexed ones after `unindex`). */
export async function indexMessages(conn: Queryable, messages: IndexedMessage[]): Promise<void> {
  let values: unknown[][] = [];
  const flush = async () => {
    if (!values.length) return;
    await conn.query(
      `INSERT INTO message_terms (slot, term, msg_rowid, tf, dl, ts) VALUES ?
       ON DUPLICATE KEY UPDATE tf = VALUES(tf), dl = VALUES(dl), ts = VALUES(ts)`,
      [values],
    );
    values = [];
  };
  for (const m of messages) {
    const { terms, dl } = messageTerms(m.parts);
    for (const t of terms) values.push([m.slot, t.term, m.pk, t.tf, dl, m.timestamp]);
    if (values.length >= TERM_CHUNK) await flush();
  }
  await flush();
}

/** Remove a message's index rows (before it is indexed again). */
export async function unindexMessage(conn: Queryable, slot: number, pk: number): Promise<void> {
  await conn.query('DELETE FROM message_terms WHERE slot = ? AND msg_rowid = ?', [slot, pk]);
}

// ---- searching ----------------------------------------------------------------------------------

export interface Hit {
  pk: number;
  slot: number;
  ts: number;
  score: number;
}

const K1 = 1.2;
const B = 0.75;
/** A typical chat message's token count; fixed, so a score never depends on the rest of the table. */
const AVG_DL = 10;

/** BM25's term-frequency saturation with length normalisation (no idf: every word is required anyway). */
function tfScore(tf: number, dl: number): number {
  if (tf <= 0) return 0;
  return (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * Math.max(dl, 1)) / AVG_DL));
}

/** `LIKE` pattern matching the words that start with `prefix` (tokens hold only letters and digits). */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface PlannedQuery {
  words: string[];
  prefix: string | null;
}

/** Parse what the user typed: distinct whole words plus the word being typed (if any). */
export function planQuery(input: string): PlannedQuery | null {
  const parsed = parseSearchQuery(input);
  if (!parsed) return null;
  const words = [...new Set(parsed.words)];
  // "urgent urgent" or "prefer pref": a required word already starts with the prefix, so the
  // prefix adds no condition.
  const prefix = parsed.prefix && !words.some((w) => w.startsWith(parsed.prefix!)) ? parsed.prefix : null;
  return { words, prefix };
}

interface Estimate {
  kind: 'word' | 'prefix';
  value: string;
  rows: number;
}

/** Index-dive estimates of how many rows each condition has in this slot (EXPLAIN, no rows read). */
async function estimate(db: Queryable, slot: number, q: PlannedQuery): Promise<Estimate[]> {
  const items: Estimate[] = [
    ...q.words.map((w) => ({ kind: 'word' as const, value: w, rows: 0 })),
    ...(q.prefix ? [{ kind: 'prefix' as const, value: q.prefix, rows: 0 }] : []),
  ];
  const selects: string[] = [];
  const params: unknown[] = [];
  for (const it of items) {
    selects.push(`SELECT msg_rowid FROM message_terms FORCE INDEX (PRIMARY) WHERE slot = ? AND term ${it.kind === 'word' ? '=' : 'LIKE'} ?`);
    params.push(slot, it.kind === 'word' ? it.value : likePrefix(it.value));
  }
  const [rows] = await db.query<RowDataPacket[]>(`EXPLAIN ${selects.join(' UNION ALL ')}`, params);
  for (const r of rows) {
    const id = Number(r.id);
    if (!Number.isInteger(id) || id < 1 || id > items.length) continue;
    // "Impossible WHERE" and friends: nothing there.
    items[id - 1]!.rows = r.rows === null ? 0 : Number(r.rows);
  }
  return items;
}

/**
 * The newest `window` hits of the query in one slot, scored. Every word must be present, the
 * prefix (if any) must start some word of the message.
 */
export async function searchSlot(db: Queryable, slot: number, q: PlannedQuery, window: number, scope: SearchScope = {}): Promise<Hit[]> {
  const items = await estimate(db, slot, q);
  // Drive with the rarest condition; a whole word beats a prefix of the same size (one posting list).
  const driver = [...items].sort((a, b) => a.rows - b.rows || (a.kind === 'word' ? -1 : 1))[0]!;
  const others = q.words.filter((w) => !(driver.kind === 'word' && driver.value === w));

  // The words the prefix stands for in this slot (a loose scan of the primary key).
  let terms: string[] = [];
  if (q.prefix) {
    const [found] = await db.query<RowDataPacket[]>(
      // GROUP BY slot, term (not DISTINCT term) is what MariaDB turns into a loose index scan.
      'SELECT slot, term FROM message_terms WHERE slot = ? AND term LIKE ? GROUP BY slot, term LIMIT ?',
      [slot, likePrefix(q.prefix), MAX_PREFIX_WORDS + 1],
    );
    terms = found.map((r) => String(r.term));
    if (terms.length === 0) return [];
  }
  if (driver.kind === 'word') {
    // A prefix with few words is checked on the primary key (the same pages as its posting
    // lists); one with many in the message's own rows (message_terms_doc).
    const check: PrefixCheck = !q.prefix ? { none: true } : terms.length <= MAX_PREFIX_LOOKUPS ? { terms } : { doc: q.prefix };
    const walk = buildWalk(slot, others, { term: driver.value }, check, scope);
    const [rows] = await db.query<RowDataPacket[]>(`${walk.sql} ORDER BY d.msg_rowid DESC LIMIT ?`, [...walk.params, window]);
    return rows.map((r) => toHit(r, slot, others, { word: true, prefix: q.prefix ? r.tfp : null }));
  }
  // The prefix drives. With many words: one range, grouped per message (reads the whole range).
  if (terms.length > MAX_PREFIX_WORDS) {
    const walk = buildWalk(slot, others, { range: q.prefix! }, { none: true }, scope);
    const [rows] = await db.query<RowDataPacket[]>(`${walk.sql} ORDER BY d.msg_rowid DESC LIMIT ?`, [...walk.params, window]);
    return rows.map((r) => toHit(r, slot, others, { word: false, prefix: r.tf0 }));
  }
  // Otherwise one walk per word it matches (each newest-first off the index), merged on the
  // server: the newest `window` of the union are exactly the newest `window` of the query, and a
  // message holding two of the words adds up their counts.
  const walks = terms.map((term) => buildWalk(slot, others, { term }, { none: true }, scope));
  const params = walks.flatMap((w) => [...w.params, window]);
  const sql =
    walks.length === 1
      ? `${walks[0]!.sql} ORDER BY d.msg_rowid DESC LIMIT ?`
      : `SELECT pk, MAX(ts) AS ts, MAX(dl) AS dl, SUM(tf0) AS tf0${others.map((_, i) => `, MAX(tfw${i}) AS tfw${i}`).join('')}
         FROM (${walks.map((w) => `(${w.sql} ORDER BY d.msg_rowid DESC LIMIT ?)`).join(' UNION ALL ')}) x
         GROUP BY pk ORDER BY pk DESC LIMIT ?`;
  if (walks.length > 1) params.push(window);
  const [rows] = await db.query<RowDataPacket[]>(sql, params);
  return rows.map((r) => toHit(r, slot, others, { word: false, prefix: r.tf0 }));
}

/** How the word being typed is checked when a whole word drives the walk. */
type PrefixCheck = { none: true } | { terms: string[] } | { doc: string };

/** Prefixes with up to this many words are checked by primary-key lookups, one per word. */
const MAX_PREFIX_LOOKUPS = 6;

/**
 * One walk: the driver's postings (newest first once the caller adds the ORDER BY), each other
 * word joined on the primary key, the prefix checked; columns pk, ts, dl, tf0 (the driver's
 * count), tfw<i> (other words), tfp (the prefix, when checked here).
 */
function buildWalk(
  slot: number,
  others: string[],
  driver: { term: string } | { range: string },
  check: PrefixCheck,
  scope: SearchScope,
): { sql: string; params: unknown[] } {
  const selectParams: unknown[] = [];
  const joinParams: unknown[] = [];
  const whereParams: unknown[] = [];
  const select = ['d.msg_rowid AS pk', 'd.ts AS ts', 'd.dl AS dl', 'd.tf AS tf0'];
  const joins: string[] = [];
  const where: string[] = [];
  others.forEach((w, i) => {
    select.push(`j${i}.tf AS tfw${i}`);
    joins.push(`JOIN message_terms j${i} ON j${i}.slot = ? AND j${i}.term = ? AND j${i}.msg_rowid = d.msg_rowid`);
    joinParams.push(slot, w);
  });
  let having = '';
  if ('terms' in check) {
    // One primary-key lookup per word (an IN list would turn into a range scan per message).
    check.terms.forEach((t, i) => {
      joins.push(`LEFT JOIN message_terms p${i} ON p${i}.slot = ? AND p${i}.term = ? AND p${i}.msg_rowid = d.msg_rowid`);
      joinParams.push(slot, t);
    });
    select.push(`(${check.terms.map((_, i) => `COALESCE(p${i}.tf, 0)`).join(' + ')}) AS tfp`);
    where.push(`(${check.terms.map((_, i) => `p${i}.msg_rowid IS NOT NULL`).join(' OR ')})`);
  } else if ('doc' in check) {
    select.push(
      `(SELECT SUM(u.tf) FROM message_terms u FORCE INDEX (message_terms_doc)
        WHERE u.slot = ? AND u.msg_rowid = d.msg_rowid AND u.term LIKE ?) AS tfp`,
    );
    selectParams.push(slot, likePrefix(check.doc));
    having = 'HAVING tfp IS NOT NULL';
  }
  // The chat by a primary-key lookup of each hit's message; the time range on the index's own ts.
  if (scope.chatId !== undefined) {
    joins.push('JOIN messages sc ON sc.pk = d.msg_rowid AND sc.chat_id = ?');
    joinParams.push(scope.chatId);
  }
  if (scope.from !== undefined) {
    where.push('d.ts >= ?');
    whereParams.push(scope.from);
  }
  if (scope.to !== undefined) {
    where.push('d.ts <= ?');
    whereParams.push(scope.to);
  }
  let from: string;
  const fromParams: unknown[] = [];
  if ('term' in driver) {
    from = 'message_terms d';
    where.unshift('d.slot = ? AND d.term = ?');
    whereParams.unshift(slot, driver.term);
  } else {
    from = `(SELECT msg_rowid, MAX(ts) AS ts, MAX(dl) AS dl, SUM(tf) AS tf FROM message_terms
             WHERE slot = ? AND term LIKE ? GROUP BY msg_rowid) d`;
    fromParams.push(slot, likePrefix(driver.range));
  }
  return {
    sql: `SELECT STRAIGHT_JOIN ${select.join(', ')} FROM ${from} ${joins.join(' ')}
          ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${having}`,
    params: [...selectParams, ...fromParams, ...joinParams, ...whereParams],
  };
}

function toHit(r: RowDataPacket, slot: number, others: string[], parts: { word: boolean; prefix: unknown }): Hit {
  const dl = Number(r.dl);
  let score = parts.word ? tfScore(Number(r.tf0), dl) : 0;
  others.forEach((_, i) => (score += tfScore(Number(r[`tfw${i}`]), dl)));
  const prefixScore = parts.prefix === null ? 0 : tfScore(Number(parts.prefix), dl);
  return { pk: Number(r.pk), slot, ts: Number(r.ts), score: score + prefixScore };
}

/** Best first, then newest (timestamp, then insertion order). */
export function rankHits(hits: Hit[]): Hit[] {
  return hits.sort((a, b) => b.score - a.score || b.ts - a.ts || b.pk - a.pk || a.slot - b.slot);
}

/** The slots that have anything indexed (a loose scan of the primary key's first column). */
export async function indexedSlots(db: Queryable): Promise<number[]> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT DISTINCT slot FROM message_terms');
  return rows.map((r) => Number(r.slot));
}

// ---- backfill (migration 3) ---------------------------------------------------------------------

/** Messages read and indexed per transaction while backfilling. */
export const BACKFILL_BATCH = 2000;

/**
 * Index every stored message that is not indexed yet, in pk order, one transaction per batch.
 * Resumable: batches commit in order, so everything up to the highest indexed rowid is done.
 */
export async function backfillTerms(
  conn: PoolConnection,
  batch = BACKFILL_BATCH,
  progress?: (done: number) => void,
): Promise<number> {
  const [last] = await conn.query<RowDataPacket[]>('SELECT COALESCE(MAX(msg_rowid), 0) AS m FROM message_terms');
  let after = Number(last[0]!.m);
  let done = 0;
  for (;;) {
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT pk, slot, timestamp, body, caption, filename, type, id FROM messages WHERE pk > ? ORDER BY pk LIMIT ?`,
      [after, batch],
    );
    if (rows.length === 0) return done;
    const polls = rows.filter((r) => r.type === 'poll');
    const options = new Map<string, string[]>();
    if (polls.length) {
      const [opts] = await conn.query<RowDataPacket[]>(
        `SELECT slot, message_id, name FROM poll_options WHERE (slot, message_id) IN (?) ORDER BY slot, message_id, idx`,
        [polls.map((r) => [r.slot, r.id])],
      );
      for (const o of opts) {
        const key = `${o.slot}|${o.message_id}`;
        options.set(key, [...(options.get(key) ?? []), String(o.name)]);
      }
    }
    await conn.beginTransaction();
    try {
      await indexMessages(
        conn,
        rows.map((r) => ({
          slot: Number(r.slot),
          pk: Number(r.pk),
          timestamp: Number(r.timestamp),
          parts: { body: r.body, caption: r.caption, filename: r.filename, pollOptions: options.get(`${r.slot}|${r.id}`) ?? null },
        })),
      );
      await conn.commit();
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    }
    done += rows.length;
    after = Number(rows[rows.length - 1]!.pk);
    progress?.(done);
  }
}
