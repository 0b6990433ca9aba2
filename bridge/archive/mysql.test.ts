// The archive contract against the real MariaDB on 127.0.0.1:3306 (a fresh database per test,
// dropped after), plus what only a remote database can do: be away and come back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { msg, runArchiveContract, type ArchiveHarness } from './contract.js';
import { latestVersion } from './migrations.js';
import { MysqlArchiveStore } from './mysql.js';
import { MYSQL_MIGRATIONS } from './mysql-schema.js';
import { backfillTerms, MAX_PREFIX_WORDS, messageTerms, MYSQL_RANK_WINDOW } from './mysql-terms.js';
import { normaliseForSearch } from './normalise.js';

/** The FULLTEXT column of schema v2: every token marked so InnoDB kept short words and stopwords. */
function mysqlIndexText(normalised: string): string {
  return normalised ? normalised.split(' ').map((t) => `ww${t}`).join(' ') : '';
}
import { adminConnection, createTestDatabase, TcpProxy } from '../../test/archive/mysql-kit.js';

const logger = pino({ level: 'silent' });

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'wa-archive-my-'));
}

async function mysqlHarness(): Promise<ArchiveHarness> {
  const db = await createTestDatabase();
  const dir = tempDir();
  return {
    async open(opts = {}) {
      const store = new MysqlArchiveStore({
        url: db.url(), logger, spoolFile: path.join(dir, 'spool.jsonl'), batchWindowMs: 20, targetVersion: opts.targetVersion,
      });
      await store.init();
      return store;
    },
    async insertLegacyV1(slot, m) {
      await db.query(
        `INSERT INTO messages (slot, id, chat_id, from_me, timestamp, type, body, sender_name, ack, search_text)
         VALUES (?, ?, ?, 0, ?, 'chat', ?, 'Old', 1, ?)`,
        [slot, m.id, m.chatId, m.timestamp, m.body, mysqlIndexText(normaliseForSearch(m.body))],
      );
    },
    async recordVersion(version) {
      await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)', [version, 'from the future']);
    },
    async schemaVersion() {
      const rows = await db.query<RowDataPacket[]>('SELECT MAX(version) AS v FROM schema_migrations');
      return Number(rows[0]!.v);
    },
    async cleanup() {
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

runArchiveContract('mysql (MariaDB)', mysqlHarness);

describe('MySQL archive set-up', () => {
  it('creates the database named in the URL when it does not exist yet', async () => {
    const db = await createTestDatabase();
    const name = `${db.name}_new`;
    const dir = tempDir();
    const store = new MysqlArchiveStore({ url: db.url().replace(db.name, name), logger, spoolFile: path.join(dir, 'spool.jsonl') });
    try {
      await store.init();
      expect(store.health()).toMatchObject({ ok: true, backend: 'mysql' });
      store.saveMessage(1, msg({ body: 'first message' }));
      await store.flush();
      expect(await store.search({ slot: 1, query: 'first', limit: 5 })).toHaveLength(1);
    } finally {
      await store.close();
      await db.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('MySQL archive when the server is away', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function setup() {
    const db = await createTestDatabase();
    const proxy = new TcpProxy();
    const dir = tempDir();
    cleanups.push(async () => {
      await proxy.cut();
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const open = async () => {
      const store = new MysqlArchiveStore({ url: db.url(proxy.port), logger, spoolFile: path.join(dir, 'spool.jsonl'), batchWindowMs: 20, retryMs: 100 });
      cleanups.push(() => store.close());
      await store.init();
      return store;
    };
    return { db, proxy, open, dir };
  }

  async function until(check: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('starts while MySQL is unreachable, spools, and writes everything once it is back', async () => {
    const { proxy, open, db, dir } = await setup();
    await proxy.restore();
    const port = proxy.port;
    await proxy.cut(); // the port is known but nothing listens there
    const store = await open();
    expect(store.health()).toMatchObject({ ok: false, backend: 'mysql' });
    expect(store.health().error).toBeTruthy();
    const messages = Array.from({ length: 300 }, (_, i) => msg({ timestamp: 2_000 + i, body: `spooled ${i}` }));
    for (const m of messages) store.saveMessage(1, m);
    store.updateAck(1, messages[0]!.id, 4);
    await store.flush();
    expect(store.health().pending).toBe(301);
    expect(fs.existsSync(path.join(dir, 'spool.jsonl'))).toBe(true);
    await expect(store.listMessages(1, messages[0]!.chatId, 10, 0)).rejects.toMatchObject({ code: 'ARCHIVE_UNAVAILABLE', status: 503 });

    proxy.port = port;
    await proxy.restore();
    await until(() => store.health().ok);
    expect(store.health()).toMatchObject({ ok: true, error: null, pending: 0 });
    const rows = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n, MAX(ack) AS a FROM messages');
    expect(Number(rows[0]!.n)).toBe(300);
    expect(Number(rows[0]!.a)).toBe(4);
    expect((await store.search({ slot: 1, query: 'spooled', limit: 500 })).length).toBe(300);
    expect(fs.existsSync(path.join(dir, 'spool.jsonl'))).toBe(false);
  });

  it('keeps writing to the spool when MySQL goes away mid-run, loses nothing, keeps order', async () => {
    const { proxy, open, db } = await setup();
    await proxy.restore();
    const store = await open();
    expect(store.health().ok).toBe(true);
    const before = msg({ body: 'before the outage' });
    store.saveMessage(1, before);
    await store.flush();

    await proxy.cut();
    const during = Array.from({ length: 50 }, () => msg({ body: 'during the outage' }));
    for (const m of during) store.saveMessage(1, m);
    store.updateAck(1, during[0]!.id, 3);
    store.updateAck(1, during[0]!.id, 2); // must stay 3 after replay
    store.saveEdit(1, during[1]!.id, 'edited while away');
    await store.flush();
    expect(store.health().ok).toBe(false);

    await proxy.restore();
    await until(() => store.health().ok);
    const rows = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM messages');
    expect(Number(rows[0]!.n)).toBe(51);
    expect((await store.getMessage(1, during[0]!.id))!.ack).toBe(3);
    expect((await store.getMessage(1, during[1]!.id))!.body).toBe('edited while away');
    expect((await store.search({ slot: 1, query: 'edited while away', limit: 5 })).map((r) => r.id)).toEqual([during[1]!.id]);
  });

  it('replays a spool left behind by a previous run', async () => {
    const { proxy, open, db } = await setup();
    await proxy.restore();
    const port = proxy.port;
    await proxy.cut();
    const first = await open();
    first.saveMessage(2, msg({ body: 'left in the spool' }));
    await first.close();
    proxy.port = port;
    await proxy.restore();
    const second = await open();
    await second.flush();
    expect(second.health()).toMatchObject({ ok: true, pending: 0 });
    const rows = await db.query<RowDataPacket[]>('SELECT body FROM messages');
    expect(rows.map((r) => r.body)).toEqual(['left in the spool']);
  });
});

describe('MySQL inverted index (message_terms)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function setup() {
    const db = await createTestDatabase();
    const dir = tempDir();
    cleanups.push(async () => {
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const open = async (opts: { targetVersion?: number; backfillBatch?: number } = {}) => {
      const store = new MysqlArchiveStore({ url: db.url(), logger, spoolFile: path.join(dir, 'spool.jsonl'), batchWindowMs: 20, ...opts });
      cleanups.push(() => store.close());
      await store.init();
      return store;
    };
    return { db, open };
  }

  const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

  it('finds every word under a prefix, also when the prefix matches more words than it walks one by one', async () => {
    const { open } = await setup();
    const store = await open();
    const many = Array.from({ length: MAX_PREFIX_WORDS + 12 }, (_, i) => msg({ body: `zq${i.toString(36)}x reading`, timestamp: 10_000 + i }));
    const few = [msg({ body: 'prefetch data', timestamp: 1 }), msg({ body: 'prefix prefetch', timestamp: 2 }), msg({ body: 'prefer', timestamp: 3 })];
    for (const m of [...many, ...few]) store.saveMessage(1, m);
    await store.flush();
    expect(ids(await store.search({ slot: 1, query: 'zq', limit: 500 })).sort()).toEqual(many.map((m) => m.id).sort());
    expect(ids(await store.search({ slot: 1, query: 'reading zq', limit: 500 })).sort()).toEqual(many.map((m) => m.id).sort());
    expect(ids(await store.search({ slot: 1, query: 'zq1', limit: 500 })).sort()).toEqual(
      many.filter((m) => m.body.startsWith('zq1')).map((m) => m.id).sort(),
    );
    // "prefix prefetch" holds two words with the prefix: found once, ranked first.
    expect(ids(await store.search({ slot: 1, query: 'pref', limit: 10 }))).toEqual([few[1]!.id, few[2]!.id, few[0]!.id]);
    expect(ids(await store.search({ slot: 1, query: 'data pref', limit: 10 }))).toEqual([few[0]!.id]);
  });

  it('requires every word: a rare word drives, a common one is checked, whichever is typed first', async () => {
    const { open } = await setup();
    const store = await open();
    const common = Array.from({ length: 300 }, (_, i) => msg({ body: `alpha note ${i}`, timestamp: 20_000 + i }));
    const both = Array.from({ length: 3 }, (_, i) => msg({ body: `alpha and the beta release ${i}`, timestamp: 100 + i }));
    for (const m of [...common, ...both]) store.saveMessage(2, m);
    await store.flush();
    const expected = both.map((m) => m.id).reverse();
    expect(ids(await store.search({ slot: 2, query: 'alpha beta ', limit: 50 }))).toEqual(expected);
    expect(ids(await store.search({ slot: 2, query: 'beta alph', limit: 50 }))).toEqual(expected);
    expect(ids(await store.search({ slot: 2, query: 'alpha bet', limit: 50 }))).toEqual(expected);
    expect(ids(await store.search({ slot: 2, query: 'alpha gamma', limit: 50 }))).toEqual([]);
    expect((await store.search({ slot: 2, query: 'alpha', limit: 500 })).length).toBe(303);
  });

  it('finds Arabic variants through the index and pages past the ranked window across slots', async () => {
    const { open } = await setup();
    const store = await open();
    const arabic = msg({ body: 'وصلت الفاتورةُ إلى المستشفى', timestamp: 5 });
    store.saveMessage(4, arabic);
    const n = MYSQL_RANK_WINDOW + 100;
    const flood = Array.from({ length: n }, (_, i) => msg({ body: 'shipment update', timestamp: 1_000 + i }));
    flood.forEach((m, i) => store.saveMessage(1 + (i % 3), m));
    await store.flush();
    for (const typed of ['فاتوره', 'الفاتورة', 'مستشفي', 'المستش', 'اِلَى فاتورة']) {
      expect(ids(await store.search({ slot: 4, query: typed, limit: 5 })), typed).toEqual([arabic.id]);
    }
    expect(ids(await store.search({ query: 'فاتوره', limit: 5 }))).toEqual([arabic.id]);
    // Equal scores: newest first, across all slots, exactly paged even past the ranked window.
    const newestFirst = flood.map((m) => m.id).reverse();
    expect(ids(await store.search({ query: 'shipment', limit: 50, offset: 0 }))).toEqual(newestFirst.slice(0, 50));
    expect(ids(await store.search({ query: 'shipment upd', limit: 50, offset: n - 30 }))).toEqual(newestFirst.slice(n - 30));
    const slot2 = flood.filter((_, i) => i % 3 === 1).map((m) => m.id).reverse();
    expect(ids(await store.search({ slot: 2, query: 'shipment', limit: 100, offset: 100 }))).toEqual(slot2.slice(100, 200));
  });

  it('indexes new rows by reading their ids back when the server may not hand out consecutive ids', async () => {
    const { open } = await setup();
    const store = await open();
    (store as unknown as { consecutiveIds: boolean }).consecutiveIds = false;
    const batch = Array.from({ length: 40 }, (_, i) => msg({ body: `readback ${i} word${i}`, timestamp: 500 + i }));
    for (const m of batch) store.saveMessage(1, m);
    await store.flush();
    expect(ids(await store.search({ slot: 1, query: 'readback', limit: 50 }))).toEqual(batch.map((m) => m.id).reverse());
    expect(ids(await store.search({ slot: 1, query: 'word17', limit: 50 }))).toEqual([batch[17]!.id]);
  });

  it('re-indexes an edit and a copy that fills in a caption, leaving no stale words behind', async () => {
    const { open, db } = await setup();
    const store = await open();
    const m = msg({ body: 'old words', type: 'image', hasMedia: 1 });
    store.saveMessage(1, m);
    await store.flush();
    store.saveMessage(1, { ...m, caption: 'sunset photo' });
    store.saveEdit(1, m.id, 'new text');
    await store.flush();
    expect(ids(await store.search({ slot: 1, query: 'sunset', limit: 5 }))).toEqual([m.id]);
    expect(ids(await store.search({ slot: 1, query: 'new text', limit: 5 }))).toEqual([m.id]);
    expect(await store.search({ slot: 1, query: 'old', limit: 5 })).toEqual([]);
    const terms = await db.query<RowDataPacket[]>('SELECT term FROM message_terms ORDER BY term');
    expect(terms.map((r) => r.term)).toEqual(['new', 'photo', 'sunset', 'text']);
  });

  it('migrates a version-2 database: builds the index from its messages in batches, drops FULLTEXT', async () => {
    const { open, db } = await setup();
    const old = await open({ targetVersion: 2 });
    await old.close();
    const legacy: { id: string; body: string; caption?: string; filename?: string; options?: string[] }[] = [
      { id: 'l-ar-1', body: 'كَتَبَ الطالبُ الدرسَ في المكتبة' },
      { id: 'l-ar-2', body: 'موعد المستشفى بكرة' },
      { id: 'l-ar-3', body: 'سؤال عن الفاتورة' },
      { id: 'l-img', body: '', caption: 'Birthday cake' },
      { id: 'l-doc', body: '', filename: 'invoice-2024.pdf' },
      { id: 'l-poll', body: 'Which language?', options: ['Node.js', 'Golang'] },
      ...Array.from({ length: 23 }, (_, i) => ({ id: `l-bulk-${i}`, body: `bulk message number ${i}` })),
    ];
    let ts = 1_600_000_000;
    for (const l of legacy) {
      const text = [l.body, l.caption, l.filename, ...(l.options ?? [])].filter(Boolean).join('\n');
      await db.query(
        `INSERT INTO messages (slot, id, chat_id, from_me, timestamp, type, body, caption, filename, sender_name, ack, search_text)
         VALUES (?, ?, '962781523783@c.us', 0, ?, ?, ?, ?, ?, 'Old', 1, ?)`,
        [l.id === 'l-bulk-3' ? 2 : 1, l.id, ts++, l.options ? 'poll' : 'chat', l.body, l.caption ?? null, l.filename ?? null,
          mysqlIndexText(normaliseForSearch(text))],
      );
      for (const [idx, name] of (l.options ?? []).entries()) {
        await db.query('INSERT INTO poll_options (slot, message_id, idx, name) VALUES (1, ?, ?, ?)', [l.id, idx, name]);
      }
    }
    const store = await open({ backfillBatch: 4 });
    const version = await db.query<RowDataPacket[]>('SELECT MAX(version) AS v FROM schema_migrations');
    expect(Number(version[0]!.v)).toBe(latestVersion(MYSQL_MIGRATIONS));
    const ft = await db.query<RowDataPacket[]>("SHOW INDEX FROM messages WHERE Key_name = 'messages_ft'");
    expect(ft).toHaveLength(0);
    const find = async (query: string, slot?: number) => ids(await store.search({ slot, query, limit: 50 }));
    expect(await find('كتب', 1)).toEqual(['l-ar-1']);
    expect(await find('مكتبه', 1)).toEqual(['l-ar-1']);
    expect(await find('مستشفي', 1)).toEqual(['l-ar-2']);
    expect(await find('سوال الفاتوره', 1)).toEqual(['l-ar-3']);
    expect(await find('birthday', 1)).toEqual(['l-img']);
    expect(await find('invoice 2024', 1)).toEqual(['l-doc']);
    expect(await find('golang', 1)).toEqual(['l-poll']);
    expect((await find('bulk mess')).length).toBe(23);
    expect(await find('bulk', 2)).toEqual(['l-bulk-3']);
    // Every message got exactly the rows its text gives.
    const stored = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n, COUNT(DISTINCT msg_rowid) AS m FROM message_terms');
    const expected = legacy.reduce(
      (n, l) => n + messageTerms({ body: l.body, caption: l.caption, filename: l.filename, pollOptions: l.options }).terms.length, 0);
    expect(Number(stored[0]!.n)).toBe(expected);
    expect(Number(stored[0]!.m)).toBe(legacy.length);
    // Opening again changes nothing.
    await store.close();
    const again = await open();
    const after = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM message_terms');
    expect(Number(after[0]!.n)).toBe(expected);
    expect(ids(await again.search({ slot: 1, query: 'كتب', limit: 5 }))).toEqual(['l-ar-1']);
  });

  it('resumes an interrupted backfill where it stopped', async () => {
    const { open, db } = await setup();
    const store = await open();
    const messages = Array.from({ length: 30 }, (_, i) => msg({ body: `resume test ${i}`, timestamp: 100 + i }));
    for (const m of messages) store.saveMessage(1, m);
    await store.flush();
    const pks = await db.query<RowDataPacket[]>('SELECT pk FROM messages ORDER BY pk');
    const cut = Number(pks[11]!.pk);
    // As if the migration had committed the batches up to `cut` and then stopped.
    await db.query('DELETE FROM message_terms WHERE msg_rowid > ?', [cut]);
    expect((await store.search({ slot: 1, query: 'resume', limit: 50 })).length).toBe(12);
    const conn = await adminConnection(db.name);
    try {
      const done = await backfillTerms(conn as unknown as PoolConnection, 7);
      expect(done).toBe(18);
    } finally {
      await conn.end();
    }
    expect(ids(await store.search({ slot: 1, query: 'resume', limit: 50 }))).toEqual(messages.map((m) => m.id).reverse());
  });
});
