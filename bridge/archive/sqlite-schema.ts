// The SQLite archive schema. Messages are indexed in a contentless FTS5 table holding only the
// normalised text (normalise.ts), keyed by the message's rowid, so the index stays small.
import type Database from 'better-sqlite3';
import { assertNotNewer, pending, type Migration } from './migrations.js';

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'messages and full-text index',
    statements: [
      // No NOT NULL constraints: the writer always supplies every value (ops.ts toStored), and
      // with them SQLite's upsert path costs about twice as much per message (measured).
      `CREATE TABLE messages (
        pk INTEGER PRIMARY KEY,
        slot INTEGER,
        id TEXT,
        chat_id TEXT,
        from_me INTEGER,
        timestamp INTEGER,
        type TEXT,
        body TEXT,
        caption TEXT,
        filename TEXT,
        mimetype TEXT,
        has_media INTEGER,
        sender_name TEXT,
        author TEXT,
        ack INTEGER
      )`,
      'CREATE UNIQUE INDEX messages_slot_id ON messages (slot, id)',
      'CREATE INDEX messages_chat ON messages (slot, chat_id, timestamp DESC, pk DESC)',
      // The search index is one FTS5 table per slot (ftsTableSql below), created when a slot
      // first writes: bm25 then ranks within the slot without paying for a slot filter.
    ],
  },
  {
    version: 2,
    name: 'edits, revokes, poll options and votes',
    statements: [
      'ALTER TABLE messages ADD COLUMN edited_at INTEGER',
      'ALTER TABLE messages ADD COLUMN revoked_at INTEGER',
      `CREATE TABLE poll_options (
        slot INTEGER NOT NULL, message_id TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL,
        PRIMARY KEY (slot, message_id, idx)
      ) WITHOUT ROWID`,
      `CREATE TABLE poll_votes (
        slot INTEGER NOT NULL, message_id TEXT NOT NULL, voter TEXT NOT NULL,
        selected TEXT NOT NULL, timestamp INTEGER NOT NULL,
        PRIMARY KEY (slot, message_id, voter)
      ) WITHOUT ROWID`,
    ],
  },
  {
    version: 3,
    name: 'media kept by the bridge',
    statements: [
      `CREATE TABLE media (
        slot INTEGER NOT NULL, message_id TEXT NOT NULL, status TEXT NOT NULL, sha256 TEXT,
        mimetype TEXT, filename TEXT, size INTEGER, duration_ms INTEGER, updated_at INTEGER NOT NULL,
        PRIMARY KEY (slot, message_id)
      ) WITHOUT ROWID`,
    ],
  },
];

/** The full-text index of one slot: only the normalised words, keyed by the message's pk. */
export function ftsTable(slot: number): string {
  if (!Number.isInteger(slot) || slot < 1) throw new Error(`invalid slot ${slot}`);
  return `messages_fts_${slot}`;
}

export const FTS_TABLE_PATTERN = /^messages_fts_(\d+)$/;

/** Prefix indexes of 2 and 3 characters keep search-as-you-type fast. */
export function ftsTableSql(slot: number): string {
  return `CREATE VIRTUAL TABLE IF NOT EXISTS ${ftsTable(slot)} USING fts5 (
    text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3'
  )`;
}

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL
)`;

export function sqliteSchemaVersion(db: Database.Database): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!exists) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/** Bring the file up to date (or to `target`). Safe to run again and from several processes. */
export function migrateSqlite(db: Database.Database, file: string, target?: number): number {
  // IMMEDIATE takes the write lock first, so two processes never run the same migration twice.
  const run = db.transaction(() => {
    db.exec(VERSION_TABLE);
    const current = sqliteSchemaVersion(db);
    assertNotNewer(current, SQLITE_MIGRATIONS, file);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    let version = current;
    for (const m of pending(SQLITE_MIGRATIONS, current, target)) {
      for (const sql of m.statements) db.exec(sql);
      record.run(m.version, m.name, Math.floor(Date.now() / 1000));
      version = m.version;
    }
    return version;
  });
  return run.immediate();
}
