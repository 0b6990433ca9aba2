// Cluster mode: the admin app's sign-in cookie works on every node (sessions live, hashed, in the
// shared database); signing out on one node or revoking the device on another ends it everywhere.
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createTestDatabase, startNode, type TestDb, type TestNode } from './routing-kit.js';

let db: TestDb;
let a: TestNode;
let b: TestNode;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await startNode(db, 'node-a');
  b = await startNode(db, 'node-b');
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await db?.drop();
});

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
});
