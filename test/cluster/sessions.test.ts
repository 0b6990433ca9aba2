// Cluster mode: the admin app's sign-in cookie works on every node (sessions live, hashed, in the
// shared database); signing out on one node or revoking the device on another ends it everywhere,
// its WebSockets on every node included.
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor, WsClient } from '../helpers/bridge.js';
import { ADMIN, createTestDatabase, startNode, type TestDb, type TestNode } from './routing-kit.js';

let db: TestDb;
let a: TestNode;
let b: TestNode;
const PRUNE_MS = 300;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await startNode(db, 'node-a');
  // B drops expired sessions every 300 ms instead of hourly: the running node's pruning is tested below.
  b = await startNode(db, 'node-b', {}, { sessionPruneMs: PRUNE_MS });
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await db?.drop();
});

/** An admin-app socket on `node`, signed in by `cookie`; resolves with the close code (0 if still open after `withinMs`). */
async function adminSocket(node: TestNode, cookie: string): Promise<{ closed: (withinMs: number) => Promise<number> }> {
  const ws = new WebSocket(`${node.bridge.url.replace('http', 'ws')}/ws?client=admin-app`, { headers: { cookie, origin: node.bridge.url } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return {
    closed: (withinMs) =>
      Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(0), withinMs))]).finally(() => ws.close()),
  };
}

const cookieOf = (res: { headers: Record<string, unknown> }) => ([] as string[]).concat(res.headers['set-cookie'] as string[]).find((c) => c.startsWith('wab_session='))!.split(';')[0]!;

describe('sign-in sessions in cluster mode', () => {
  it('a cookie from node A signs in on node B; sign-out on B ends it on A; only hashes are stored', async () => {
    const cookie = cookieOf(await a.http.post('/api/session').send({ token: ADMIN }).expect(200));
    await b.http.get('/api/slots').set('cookie', cookie).expect(200);
    expect((await b.http.get('/api/session').set('cookie', cookie)).body).toMatchObject({ signedIn: true, kind: 'admin' });
    const rows = await db.query<RowDataPacket[]>('SELECT * FROM shared_sessions');
    expect(rows.length).toBe(1);
    expect(JSON.stringify(rows)).not.toContain(cookie.split('=')[1]);
    expect(JSON.stringify(rows)).not.toContain(ADMIN);
    await b.http.delete('/api/session').set('cookie', cookie).set('x-wab-csrf', '1').expect(200);
    await a.http.get('/api/slots').set('cookie', cookie).expect(401);
  });

  it('revoking the device on node B ends its session on node A', async () => {
    const dev = await a.http.post('/api/devices').set('apikey', ADMIN).send({ name: 'Desk' }).expect(201);
    const cookie = cookieOf(await a.http.post('/api/session').send({ token: dev.body.token }).expect(200));
    await b.http.get('/api/slots').set('cookie', cookie).expect(200);
    await b.http.delete(`/api/devices/${dev.body.deviceId}`).set('apikey', ADMIN).expect(200);
    await a.http.get('/api/slots').set('cookie', cookie).expect(401);
    const left = await db.query<RowDataPacket[]>('SELECT * FROM shared_sessions WHERE device_id = ?', [dev.body.deviceId]);
    expect(left).toEqual([]);
  });

  it('sign-out on node B closes the session’s sockets on node A too, within 2 s; other sessions stay', async () => {
    const cookie = cookieOf(await a.http.post('/api/session').send({ token: ADMIN }).expect(200));
    const other = cookieOf(await a.http.post('/api/session').send({ token: ADMIN }).expect(200));
    const onA = await adminSocket(a, cookie);
    const otherOnA = await adminSocket(a, other);
    await b.http.delete('/api/session').set('cookie', cookie).set('x-wab-csrf', '1').expect(200);
    expect(await onA.closed(2000)).toBe(4001);
    expect(await otherOnA.closed(300)).toBe(0);
  });

  it('revoking a device on node A closes its phone’s socket on node B within 2 s; other phones stay', async () => {
    const dev = await a.http.post('/api/devices').set('apikey', ADMIN).send({ name: 'Phone B' }).expect(201);
    const keep = await a.http.post('/api/devices').set('apikey', ADMIN).send({ name: 'Phone kept' }).expect(201);
    const phone = await WsClient.open(b.bridge.url, dev.body.token as string);
    const kept = await WsClient.open(b.bridge.url, keep.body.token as string);
    const closed = phone.closed();
    await a.http.delete(`/api/devices/${dev.body.deviceId}`).set('apikey', ADMIN).expect(200);
    const code = await Promise.race([closed.then((c) => c.code), new Promise<number>((resolve) => setTimeout(() => resolve(0), 2000))]);
    expect(code).toBe(4001);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(kept.ws.readyState).toBe(WebSocket.OPEN);
    // The close order rides the event table but is never a client's event.
    expect(kept.frames.map((f) => f.type)).not.toContain('close_sockets');
    expect(kept.frames.some((f) => JSON.stringify(f).includes(dev.body.deviceId as string))).toBe(false);
    phone.close();
    kept.close();
  });

  it('a running node drops expired sessions from shared_sessions on its timer, without a sign-in; live ones stay', async () => {
    const live = cookieOf(await a.http.post('/api/session').send({ token: ADMIN }).expect(200));
    // Written after both nodes started (their start-up prune is over) and no sign-in follows it.
    const expired = 'e'.repeat(64);
    await db.query('INSERT INTO shared_sessions (id_hash, token_hash, device_id, created_at, expires_at) VALUES (?, ?, NULL, ?, ?)', [
      expired,
      'f'.repeat(64),
      Date.now() - 60_000,
      Date.now() - 1000,
    ]);
    const gone = async () => (await db.query<RowDataPacket[]>('SELECT id_hash FROM shared_sessions WHERE id_hash = ?', [expired])).length === 0;
    await waitFor(gone, 10 * PRUNE_MS + 5000, 'the expired session dropped by B');
    await b.http.get('/api/slots').set('cookie', live).expect(200);
  });
});
