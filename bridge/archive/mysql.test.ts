// The archive contract against the real MariaDB on 127.0.0.1:3306 (a fresh database per test,
// dropped after), plus what only a remote database can do: be away and come back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { RowDataPacket } from 'mysql2/promise';
import { msg, runArchiveContract, type ArchiveHarness } from './contract.js';
import { MysqlArchiveStore } from './mysql.js';
import { mysqlIndexText, normaliseForSearch } from './normalise.js';
import { createTestDatabase, TcpProxy } from '../../test/archive/mysql-kit.js';

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
    await expect(store.listMessages(1, messages[0]!.chatId, 10, 0)).rejects.toMatchObject({ code: 'INTERNAL' });

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
