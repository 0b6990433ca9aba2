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
const TERM_CHUNK = 4000;

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
  /** The part of `score` from the prefix word (walks driven by the prefix add theirs up). */
  prefixScore: number;
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
  // "pref prefer" needs "pref" whole, and "prefer…" which a whole "prefer" would satisfy too:
  // keep both conditions, they are different.
  return { words, prefix: parsed.prefix };
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
export async function searchSlot(db: Queryable, slot: number, q: PlannedQuery, window: number): Promise<Hit[]> {
  const items = await estimate(db, slot, q);
  // Drive with the rarest condition; a whole word beats a prefix of the same size (one posting list).
  const driver = [...items].sort((a, b) => a.rows - b.rows || (a.kind === 'word' ? -1 : 1))[0]!;
  const others = q.words.filter((w) => !(driver.kind === 'word' && driver.value === w));

  if (driver.kind === 'word') {
    return runWalk(db, slot, q, others, { term: driver.value }, window);
  }
  // The prefix drives: one walk per word it matches (each newest-first off the index), merged;
  // the newest `window` of the union are exactly the newest `window` of the query.
  const [found] = await db.query<RowDataPacket[]>(
    'SELECT DISTINCT term FROM message_terms WHERE slot = ? AND term LIKE ? LIMIT ?',
    [slot, likePrefix(q.prefix!), MAX_PREFIX_WORDS + 1],
  );
  const terms = found.map((r) => String(r.term));
  if (terms.length === 0) return [];
  if (terms.length > MAX_PREFIX_WORDS) return runWalk(db, slot, q, others, { range: q.prefix! }, window);
  const perTerm = await Promise.all(terms.map((term) => runWalk(db, slot, q, others, { term }, window)));
  if (perTerm.length === 1) return perTerm[0]!;
  // A message holding two words with the prefix comes back from both walks: add up its prefix score.
  const byPk = new Map<number, Hit>();
  for (const list of perTerm) {
    for (const h of list) {
      const seen = byPk.get(h.pk);
      byPk.set(h.pk, seen ? { ...seen, score: seen.score + h.prefixScore, prefixScore: seen.prefixScore + h.prefixScore } : h);
    }
  }
  return [...byPk.values()].sort((a, b) => b.pk - a.pk).slice(0, window);
}

/**
 * One statement: walk the driver's postings newest first, join each other word on the primary
 * key, check the prefix in the message's own index rows, stop after `window` hits.
 */
async function runWalk(
  db: Queryable,
  slot: number,
  q: PlannedQuery,
  others: string[],
  driver: { term: string } | { range: string },
  window: number,
): Promise<Hit[]> {
  const params: unknown[] = [];
  const select = ['d.msg_rowid AS pk', 'd.ts AS ts', 'd.dl AS dl', 'd.tf AS tf0'];
  const joins: string[] = [];
  others.forEach((w, i) => {
    select.push(`j${i}.tf AS tfw${i}`);
    joins.push(`JOIN message_terms j${i} ON j${i}.slot = ? AND j${i}.term = ? AND j${i}.msg_rowid = d.msg_rowid`);
  });
  // The prefix is either what drives the walk (d is one of its words, or its whole range) or a
  // check: a seek into the message's own rows in message_terms_doc.
  const driverIsWord = 'term' in driver && q.words.includes(driver.term);
  const prefixChecked = q.prefix !== null && driverIsWord;
  if (prefixChecked) {
    select.push(
      `(SELECT SUM(u.tf) FROM message_terms u FORCE INDEX (message_terms_doc)
        WHERE u.slot = ? AND u.msg_rowid = d.msg_rowid AND u.term LIKE ?) AS tfp`,
    );
    params.push(slot, likePrefix(q.prefix!));
  }
  others.forEach((w) => params.push(slot, w));
  let from: string;
  if ('term' in driver) {
    from = 'message_terms d';
  } else {
    // A very short prefix with many words: one range, grouped per message (reads the whole range).
    from = `(SELECT msg_rowid, MAX(ts) AS ts, MAX(dl) AS dl, SUM(tf) AS tf FROM message_terms
             WHERE slot = ? AND term LIKE ? GROUP BY msg_rowid) d`;
    params.push(slot, likePrefix(driver.range));
  }
  let where = '';
  if ('term' in driver) {
    where = 'WHERE d.slot = ? AND d.term = ?';
    params.push(slot, driver.term);
  }
  const having = prefixChecked ? 'HAVING tfp IS NOT NULL' : '';
  params.push(window);
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT STRAIGHT_JOIN ${select.join(', ')} FROM ${from} ${joins.join(' ')} ${where} ${having}
     ORDER BY d.msg_rowid DESC LIMIT ?`,
    params,
  );
  return rows.map((r) => {
    const dl = Number(r.dl);
    let score = 0;
    if (driverIsWord) score += tfScore(Number(r.tf0), dl);
    others.forEach((_, i) => (score += tfScore(Number(r[`tfw${i}`]), dl)));
    const prefixScore = !q.prefix ? 0 : tfScore(Number(prefixChecked ? r.tfp : r.tf0), dl);
    return { pk: Number(r.pk), slot, ts: Number(r.ts), score: score + prefixScore, prefixScore };
  });
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
