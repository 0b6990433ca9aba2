// The bridge's own local state (devices, audit, outbox, idempotency, slot wishes, FCM tokens):
// always a SQLite file in the data dir, so auth and the durable outbox work even when a remote
// archive database is down.
import Database from 'better-sqlite3';
import path from 'node:path';

const MIGRATIONS: string[] = [
  `CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     last_seen_at INTEGER
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     detail TEXT,
     ip TEXT
   );
   CREATE TABLE slot_wishes (
     slot INTEGER PRIMARY KEY,
     connected INTEGER NOT NULL
   );
   CREATE TABLE outbox (
     id TEXT PRIMARY KEY,
     seq INTEGER NOT NULL UNIQUE,
     slot INTEGER NOT NULL,
     chat_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     payload TEXT NOT NULL,
     status TEXT NOT NULL,
     attempted_at INTEGER,
     message_id TEXT,
     error TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX outbox_pending ON outbox(slot, status, seq);
   CREATE TABLE idempotency (
     slot INTEGER NOT NULL,
     key TEXT NOT NULL,
     result TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (slot, key)
   );`,
  // Messages the bridge reported as sent, written with the idempotency/outbox record, so a crash
  // before the archive's batch commits cannot lose them (replayed into the archive at start).
  `CREATE TABLE sent_messages (
     slot INTEGER NOT NULL,
     message_id TEXT NOT NULL,
     message TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     archived INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (slot, message_id)
   );
   CREATE INDEX sent_messages_unarchived ON sent_messages(archived, created_at);`,
  // A send with an idempotency key, from just before WhatsApp gets it until its result is saved:
  // a retry after a crash in between looks for the message in the chat instead of sending again.
  `CREATE TABLE send_attempts (
     slot INTEGER NOT NULL,
     key TEXT NOT NULL,
     target TEXT NOT NULL,
     body TEXT NOT NULL,
     attempted_at INTEGER NOT NULL,
     PRIMARY KEY (slot, key)
   );`,
  // Device scopes: which slots (JSON array, NULL = all) and a role. Devices paired before keep
  // what they could do then: every slot, manage.
  `ALTER TABLE devices ADD COLUMN slots TEXT;
   ALTER TABLE devices ADD COLUMN role TEXT NOT NULL DEFAULT 'manage';`,
  // Send-limit counters (rate-limiter-flexible's SQLite layout), kept across restarts.
  `CREATE TABLE rate_limits (
     key TEXT PRIMARY KEY,
     points INTEGER NOT NULL DEFAULT 0,
     expire INTEGER
   );`,
  // Admin-app sign-in sessions (bridge/auth/sessions.ts): only hashes — of the cookie's id and of
  // the token that made the session, so revoking that token ends the session.
  `CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY,
     token_hash TEXT NOT NULL,
     device_id TEXT,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX sessions_device ON sessions (device_id);
   CREATE INDEX sessions_expiry ON sessions (expires_at);`,
];

export type StateDb = Database.Database;

/** The schema version this bridge writes (`PRAGMA user_version`). */
export const STATE_SCHEMA_VERSION = MIGRATIONS.length;

export function openStateDb(dataDir: string): StateDb {
  const db = new Database(path.join(dataDir, 'bridge.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: StateDb): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`bridge.db is schema version ${current}, newer than this bridge knows (${MIGRATIONS.length}); update WA Bridge`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
