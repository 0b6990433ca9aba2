// The archive contract against SQLite: a fresh file per test in a temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { runArchiveContract, type ArchiveHarness } from './contract.js';
import { SqliteArchiveStore } from './sqlite.js';
import { normaliseForSearch } from './normalise.js';
import { ftsTableSql } from './sqlite-schema.js';

const logger = pino({ level: 'silent' });

async function sqliteHarness(): Promise<ArchiveHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-archive-'));
  const file = path.join(dir, 'archive.db');
  const raw = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    async open(opts = {}) {
      const store = new SqliteArchiveStore({ file, logger, batchWindowMs: 20, targetVersion: opts.targetVersion });
      await store.init();
      return store;
    },
    async insertLegacyV1(slot, m) {
      raw((db) => {
        const { lastInsertRowid } = db
          .prepare('INSERT INTO messages (slot, id, chat_id, from_me, timestamp, type, body, sender_name, ack) VALUES (?, ?, ?, 0, ?, ?, ?, ?, 1)')
          .run(slot, m.id, m.chatId, m.timestamp, 'chat', m.body, 'Old');
        db.exec(ftsTableSql(slot));
        db.prepare(`INSERT INTO messages_fts_${slot} (rowid, text) VALUES (?, ?)`).run(lastInsertRowid, normaliseForSearch(m.body));
      });
    },
    async recordVersion(version) {
      raw((db) => db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)').run(version, 'from the future'));
    },
    async schemaVersion() {
      return raw((db) => (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v);
    },
    async cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

runArchiveContract('sqlite', sqliteHarness);
