// The bridge on a MySQL archive (WA_BRIDGE_DB_URL), end to end over HTTP: messages land in
// MariaDB; with MariaDB unreachable at start the bridge still starts, says so in /api/health,
// spools what arrives and writes it once the server is back.
import { afterEach, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { createTestDatabase, TcpProxy } from './mysql-kit.js';
import { connectSlot, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';

describe('bridge with a MySQL archive', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function setup(): Promise<{ db: Awaited<ReturnType<typeof createTestDatabase>>; proxy: TcpProxy }> {
    const db = await createTestDatabase();
    const proxy = new TcpProxy();
    await proxy.restore();
    cleanups.push(async () => {
      await proxy.cut();
      await db.drop();
    });
    return { db, proxy };
  }

  async function start(dbUrl: string): Promise<TestBridge> {
    const t = await startBridge({ dbUrl, ratePerMinute: 1000 });
    cleanups.push(() => t.stop());
    return t;
  }

  const send = (t: TestBridge, message: string) =>
    t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '962781523783', message }).expect(200);

  it('archives into MariaDB and searches it through the API', async () => {
    const { db, proxy } = await setup();
    const t = await start(db.url(proxy.port));
    // The bridge listens first; the fresh database's schema is created meanwhile.
    const health = await waitFor(async () => {
      const res = await t.http.get('/api/health').set('apikey', t.token).expect(200);
      return res.body.archive.ok ? res : null;
    }, 20_000, 'archive ready');
    expect(health.body.archive).toMatchObject({ ok: true, backend: 'mysql' });
    await connectSlot(t);
    await send(t, 'موعد المستشفى غداً');
    const hit = await waitFor(async () => {
      const res = await t.http.get('/api/archive/search').set('apikey', t.token).query({ slot: 1, query: 'مستشفي' });
      return res.body.data?.length ? res.body.data : null;
    }, 10_000, 'search hit from MySQL');
    expect(hit[0]).toMatchObject({ body: 'موعد المستشفى غداً', fromMe: 1 });
    const rows = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM messages WHERE body = ?', ['موعد المستشفى غداً']);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('starts with MariaDB unreachable, reports it, and writes the spool once it is back', async () => {
    const { db, proxy } = await setup();
    await proxy.cut();
    const t = await start(db.url(proxy.port));
    const health = await t.http.get('/api/health').set('apikey', t.token).expect(200);
    expect(health.body.archive).toMatchObject({ ok: false, backend: 'mysql' });
    expect(health.body.archive.error).toBeTruthy();
    expect(health.body.status).toBe('degraded');
    await connectSlot(t);
    await send(t, 'written while the archive was away');
    await waitFor(async () => (await t.http.get('/api/health').set('apikey', t.token)).body.archive.pending > 0, 5000, 'spooled');
    await proxy.restore();
    await waitFor(async () => (await t.http.get('/api/health').set('apikey', t.token)).body.archive.ok, 15_000, 'archive back');
    const rows = await db.query<RowDataPacket[]>('SELECT body FROM messages WHERE body = ?', ['written while the archive was away']);
    expect(rows).toHaveLength(1);
  }, 30_000);
});
