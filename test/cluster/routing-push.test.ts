// Cluster mode, push: a phone whose socket is on node A is online for the whole cluster. Node B,
// which runs the slot and so sees the incoming message, holds back the push (the phone has it on
// its socket); once the phone's socket on A closes, B pushes again.
import fs from 'node:fs';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor, WsClient } from '../helpers/bridge.js';
import { installFakeFcm, removeFakeFcm, writeServiceAccount, type FakeFcm } from '../push/fcm-fixture.js';
import { ADMIN, ownedBy, twoNodes, type TestDb, type TestNode } from './routing-kit.js';

const SARAH = '447700900123@c.us';
const PHONE_TOKEN = 'cluster-phone-token:APA91bE2eClusterPresence';

let db: TestDb;
let a: TestNode;
let b: TestNode;
let fcm: FakeFcm;
const dir = tempDir('cluster-push-');
const push = { firebaseServiceAccount: writeServiceAccount(dir).file };

twoNodes({ preferredSlots: '2', ...push }, async (n) => {
  ({ db, a, b } = n);
  fcm = installFakeFcm();
  await a.http.post('/api/connect').set('apikey', ADMIN).send({ slot: 2 }).expect(200);
  await ownedBy(db, b, 2);
}, push);

afterAll(() => {
  removeFakeFcm();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function suppressedOnline(node: TestNode): Promise<number> {
  const text = (await node.http.get('/metrics').set('apikey', ADMIN).expect(200)).text;
  const line = text.split('\n').find((l) => l.startsWith('wa_push_suppressed_total{reason="online"}'));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('push and phones on other nodes', () => {
  it('no push from node B while the phone is connected to node A; a push once it left', async () => {
    const device = await a.http.post('/api/devices').set('apikey', ADMIN).send({ name: 'phone on A' }).expect(201);
    const phone = await WsClient.open(a.bridge.url, device.body.token, { installationId: 'inst-a-1' });
    const registered = await phone.command('register_fcm', { token: PHONE_TOKEN, platform: 'android', installationId: 'inst-a-1' });
    expect(registered.success).toBe(true);
    // A has published the phone as online (soon after the socket opened).
    await waitFor(async () => Number((await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM shared_presence WHERE device_id = ? AND installation_id = ?', [device.body.deviceId, 'inst-a-1']))[0]?.n) === 1, 5000, 'presence row');

    const before = await suppressedOnline(b);
    await a.http.post('/api/send').set('apikey', ADMIN).send({ slot: 2, chatId: SARAH, message: 'while the phone is on A' }).expect(200);
    // The echo arrives on B; after its 2 s window B decides: online elsewhere, no push.
    await waitFor(async () => (await suppressedOnline(b)) > before, 10_000, 'B holding back the push');
    expect(fcm.requests).toHaveLength(0);

    phone.ws.close();
    await phone.closed();
    await waitFor(async () => Number((await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM shared_presence WHERE device_id = ?', [device.body.deviceId]))[0]?.n) === 0, 5000, 'presence row withdrawn');
    await a.http.post('/api/send').set('apikey', ADMIN).send({ slot: 2, chatId: SARAH, message: 'after the phone left' }).expect(200);
    await fcm.waitForRequests(1, 10_000);
    expect(fcm.requests[0]).toMatchObject({ message: { token: PHONE_TOKEN, data: { slot: '2', chatId: SARAH } } });
  });
});
