// Upgrading the MySQL archive while bridges serve (issue 13, "online database upgrade"): a bridge
// listens while its archive migrates, two bridges on one database migrate it once between them
// while both answer, and a bridge older than the schema's compatible range refuses to start.
// Each test gets its own MariaDB database (dropped after). Waits are for events, never timings.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { RowDataPacket } from 'mysql2/promise';
import { createBridge } from '../../bridge/bridge.js';
import { loadConfig } from '../../bridge/config.js';
import { MysqlArchiveStore } from '../../bridge/archive/mysql.js';
import { latestVersion, type Migration } from '../../bridge/archive/migrations.js';
import { MYSQL_MIGRATIONS } from '../../bridge/archive/mysql-schema.js';
import { SCHEMA_LOCK_TABLE, SchemaLock } from '../../bridge/archive/schema-lock.js';
import { connectSlot, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { ROOT } from '../helpers/process.js';
import { createTestDatabase } from './mysql-kit.js';

const LATEST = latestVersion(MYSQL_MIGRATIONS);
const SEEDED = 20_000;
const CHAT = '962781523783@c.us';
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
}, 60_000);

// Seeding 20k rows and upgrading them takes seconds, more on a loaded machine: generous bounds.
const SLOW = { timeout: 180_000 };

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

async function database(): Promise<Db> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

/** A database as release 2 left it, holding `n` messages (search text empty: v2's FULLTEXT is not read). */
async function seedVersion2(db: Db, n = SEEDED): Promise<void> {
  const dir = tempDir('wa-online-mig-');
  const old = new MysqlArchiveStore({ url: db.url(), logger: pino({ level: 'silent' }), spoolFile: path.join(dir, 'spool.jsonl'), targetVersion: 2 });
  await old.init();
  await old.close();
  fs.rmSync(dir, { recursive: true, force: true });
  for (let from = 0; from < n; from += 2000) {
    const rows = Array.from({ length: Math.min(2000, n - from) }, (_, i) => {
      const k = from + i;
      return [1 + (k % 3), `seed-${k}`, CHAT, 1_600_000_000 + k, `stock report ${k} shelf`];
    });
    await db.query(
      `INSERT INTO messages (slot, id, chat_id, from_me, timestamp, type, body, sender_name, ack, search_text) VALUES ${rows.map(() => "(?, ?, ?, 0, ?, 'chat', ?, 'Old', 1, '')").join(', ')}`,
      rows.flat(),
    );
  }
}

/** Lines a bridge or store logged (JSON), to see who did what. */
function capture() {
  const lines: { msg: string; [k: string]: unknown }[] = [];
  return { lines, logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) }) };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function bridgeOn(db: Db, archive?: MysqlArchiveStore): Promise<TestBridge> {
  const t = await startBridge({ dbUrl: db.url(), slots: 2, ratePerMinute: 1000, ratePerHour: 10_000 }, archive ? { archive } : {});
  cleanups.push(async () => {
    await t.stop();
    fs.rmSync(t.dataDir, { recursive: true, force: true });
  });
  return t;
}

const health = async (t: TestBridge) => (await t.http.get('/api/health').set('apikey', t.token)).body as {
  archive: { ok: boolean; status?: string; error?: string; migration?: { by: string; version: number | null; rowsDone: number | null; rowsTotal: number | null; to: number } };
};

async function sendOk(t: TestBridge, message: string): Promise<string> {
  const res = await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, chatId: CHAT, message });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { messageId: string }).messageId;
}

async function searchIds(t: TestBridge, query: string): Promise<string[]> {
  const res = await t.http.get('/api/archive/search').query({ slot: 1, query, limit: 50 }).set('apikey', t.token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { data: { id: string }[] }).data.map((r) => r.id);
}

describe('MySQL archive upgraded online', () => {
  it('listens and serves while another holder has the migration lock, then migrates once it is free', SLOW, async () => {
    const db = await database();
    await seedVersion2(db);
    // Another bridge holds the lock (a row, as any bridge takes it) and has not finished.
    const other = new SchemaLock(() => ({ query: (sql: string, p: unknown[]) => db.query(sql, p).then((r) => [r]) }) as never, 'other-host:42:abc');
    expect(await other.acquire()).toBe(true);

    const t = await bridgeOn(db); // the real archive factory: migrates in the background
    const during = await waitFor(async () => {
      const h = await health(t);
      return h.archive.status === 'migrating' && h.archive.migration?.by === 'another bridge' ? h : null;
    }, 20_000, 'health to show the wait for the other bridge');
    expect(during.archive.ok).toBe(false);
    expect(during.archive.error).toMatch(/another bridge \(other-host:42:abc\) is upgrading the archive schema to version \d+/);
    expect((await t.http.get('/api/slots').set('apikey', t.token)).status).toBe(200);
    await connectSlot(t, 1);
    const sent = await sendOk(t, 'parcel waiting at the counter');
    // Archive reads say why, in words, with 503.
    const refused = await t.http.get('/api/archive/search').query({ slot: 1, query: 'parcel' }).set('apikey', t.token);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ success: false, error: { code: 'ARCHIVE_MIGRATING', message: expect.stringMatching(/being upgraded/) } });

    await other.release();
    await waitFor(async () => (await health(t)).archive.ok, 60_000, 'archive ready after the upgrade');
    // The send made meanwhile was spooled and is now stored and indexed, as are the old rows.
    await waitFor(async () => (await searchIds(t, 'parcel counter')).includes(sent), 10_000, 'spooled send searchable');
    expect((await searchIds(t, 'stock report 19998 shelf')).length).toBe(1);
    const versions = await db.query<RowDataPacket[]>('SELECT version, min_code FROM schema_migrations ORDER BY version');
    expect(versions.map((r) => Number(r.version))).toEqual(MYSQL_MIGRATIONS.map((m) => m.version));
    expect(versions.map((r) => r.min_code === null ? null : Number(r.min_code))).toEqual(MYSQL_MIGRATIONS.map((m) => m.minCode ?? 1));
  });

  it('two bridges on one database: one migrates while the other answers slots and sends without an error', SLOW, async () => {
    const db = await database();
    await seedVersion2(db);
    const atBackfill = deferred();
    const carryOn = deferred();
    const a = capture();
    const storeA = new MysqlArchiveStore({
      url: db.url(), logger: a.logger, spoolFile: path.join(tempDir('wa-online-a-'), 'spool.jsonl'), migrateInBackground: true,
      backfillBatch: 500,
      // Held at the search-index backfill until the other bridge has been checked.
      beforeMigration: async (m: Migration) => {
        if (m.version !== 3) return;
        atBackfill.resolve();
        await carryOn.promise;
      },
    });
    const b = capture();
    const storeB = new MysqlArchiveStore({
      url: db.url(), logger: b.logger, spoolFile: path.join(tempDir('wa-online-b-'), 'spool.jsonl'), migrateInBackground: true, migrationPollMs: 100,
    });

    const bridgeA = await bridgeOn(db, storeA);
    cleanups.push(() => carryOn.resolve()); // runs before A stops: never leave A held if the test fails early
    await atBackfill.promise;
    const bridgeB = await bridgeOn(db, storeB); // starts (and listens) while A holds the lock mid-upgrade

    const hA = await health(bridgeA);
    expect(hA.archive).toMatchObject({ status: 'migrating', migration: { by: 'this bridge', version: 3, to: LATEST } });
    await waitFor(async () => (await health(bridgeB)).archive.migration?.by === 'another bridge', 10_000, 'B waiting for A');
    // B serves: slots, a connected number, sends — no error anywhere.
    await connectSlot(bridgeB, 1);
    const sentByB: string[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await bridgeB.http.get('/api/slots').set('apikey', bridgeB.token)).status).toBe(200);
      sentByB.push(await sendOk(bridgeB, `order ${i} from the second till`));
    }
    // A, which is migrating, answers too.
    await connectSlot(bridgeA, 1);
    const sentByA = await sendOk(bridgeA, 'receipt printed by the first till');

    carryOn.resolve();
    for (const t of [bridgeA, bridgeB]) await waitFor(async () => (await health(t)).archive.ok, 60_000, 'archive ready on both');

    // Ran once, by A only.
    const upgradedBy = (lines: { msg: string; version?: number }[]) => lines.filter((l) => l.msg === 'archive: upgrading the MySQL schema').map((l) => l.version);
    expect(upgradedBy(a.lines)).toEqual([3, 4, 5, 6]);
    expect(upgradedBy(b.lines)).toEqual([]);
    const unindexed = await db.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM messages m WHERE m.id LIKE 'seed-%' AND NOT EXISTS (SELECT 1 FROM message_terms t WHERE t.slot = m.slot AND t.msg_rowid = m.pk)",
    );
    expect(Number(unindexed[0]!.n)).toBe(0);
    expect(await db.query<RowDataPacket[]>('SELECT * FROM schema_lock')).toEqual([]);
    // What both sent while the schema moved is stored and found, from either bridge.
    // (The demo engine echoes each text back: those are found too.)
    await waitFor(async () => {
      const found = await searchIds(bridgeA, 'second till');
      return sentByB.every((id) => found.includes(id));
    }, 10_000, 'B sends searchable on A');
    expect(await searchIds(bridgeB, 'receipt printed')).toContain(sentByA);
  });

  it('refuses to start a bridge older than the schema accepts; accepts a newer schema made of expand steps', SLOW, async () => {
    const db = await database();
    const current = await bridgeOn(db);
    await waitFor(async () => (await health(current)).archive.ok, 30_000, 'fresh database migrated');
    await current.stop();

    // Release 2 against a schema whose contract steps need release 6.
    const old = new MysqlArchiveStore({ url: db.url(), logger: pino({ level: 'silent' }), spoolFile: path.join(tempDir('wa-online-old-'), 'spool.jsonl'), targetVersion: 2, migrateInBackground: true });
    const oldDir = tempDir('wa-online-old-');
    const oldBridge = createBridge(loadConfig({}, { port: 0, host: '127.0.0.1', engine: 'demo', dataDir: oldDir, dbUrl: db.url(), logLevel: 'silent' }), { archive: old });
    cleanups.push(async () => {
      await oldBridge.stop().catch(() => undefined);
      fs.rmSync(oldDir, { recursive: true, force: true });
    });
    await expect(oldBridge.start()).rejects.toThrow(
      /^MySQL archive: the archive schema is version 6, newer than this bridge understands \(2\); it needs WA Bridge with schema 6 or newer/,
    );

    // A later release added a table only (expand, min_code 1): this release keeps working on it.
    await db.query("INSERT INTO schema_migrations (version, name, applied_at, min_code) VALUES (7, 'a later release: expand', 0, 1)");
    const alongside = await bridgeOn(db);
    await waitFor(async () => (await health(alongside)).archive.ok, 30_000, 'archive ready on a newer expand-only schema');
    await alongside.stop();

    // A later release's contract step: this code is too old. The real process says so in one line.
    await db.query("INSERT INTO schema_migrations (version, name, applied_at, min_code) VALUES (8, 'a later release: contract', 0, 8)");
    const dataDir = tempDir('wa-online-proc-');
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bridge/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WA_BRIDGE_DATA_DIR: dataDir, WA_BRIDGE_ENGINE: 'demo', WA_BRIDGE_DB_URL: db.url(), LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `wa-bridge: could not start: MySQL archive: the archive schema is version 8, newer than this bridge understands (${LATEST}); it needs WA Bridge with schema 8 or newer: upgrade WA Bridge or point it at another database. Nothing was changed.`,
    ]);
    const after = await db.query<RowDataPacket[]>('SELECT MAX(version) AS v FROM schema_migrations');
    expect(Number(after[0]!.v)).toBe(8);
  });
});

describe('the migration lock row', () => {
  it('has one holder at a time, passes on when it expires, and tells a late holder it lost', async () => {
    const db = await database();
    const conn = { query: (sql: string, p: unknown[]) => db.query(sql, p).then((r) => [r]) } as never;
    await db.query(SCHEMA_LOCK_TABLE);
    const first = new SchemaLock(() => conn, 'node-a:1:aaa');
    const second = new SchemaLock(() => conn, 'node-b:2:bbb');
    expect(await first.acquire()).toBe(true);
    expect(await second.acquire()).toBe(false);
    expect(await first.acquire()).toBe(true); // again: still its own
    expect(await first.renew()).toBe(true);
    expect(await second.currentHolder()).toBe('node-a:1:aaa');
    // The holder died: its row expires (moved into the past on the database's clock).
    await db.query('UPDATE schema_lock SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND');
    expect(await second.currentHolder()).toBeNull();
    expect(await second.acquire()).toBe(true);
    expect(await first.renew()).toBe(false);
    await first.release(); // not its lock any more: nothing happens
    expect(await first.currentHolder()).toBe('node-b:2:bbb');
    await second.release();
    expect(await first.currentHolder()).toBeNull();
  });
});
