// Push per phone, end to end: two phones share one token, each registers its own FCM token with
// its installation id, and each is pushed only while it is away. The admin app's open tab
// (same token) never holds a phone's push back. firebase-admin's HTTP is answered by nock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridge } from '../../bridge/bridge.js';
import { loadConfig } from '../../bridge/config.js';
import type { Bridge } from '../../bridge/types.js';
import { waitFor, WsClient } from '../helpers/bridge.js';
import { installFakeFcm, removeFakeFcm, writeServiceAccount, type FakeFcm } from './fcm-fixture.js';

const SARAH = '447700900123@c.us';
const OMAR = '962781523783@c.us';
const TOKEN_A = 'phone-a-token:APA91bPhoneAForPerPhonePush';
const TOKEN_B = 'phone-b-token:APA91bPhoneBForPerPhonePush';
/** An older app that sends no installation id. */
const TOKEN_OLD = 'phone-old-token:APA91bOlderAppWithoutInstallId';

let tmp: string;
let bridge: Bridge;
let fcm: FakeFcm;

async function send(chatId: string, message: string): Promise<void> {
  const res = await fetch(`${bridge.url}/api/send`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bridge.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ slot: 1, chatId, message }),
  });
  expect(res.status).toBe(200);
}

async function phone(installationId: string, fcmToken: string): Promise<WsClient> {
  const ws = await WsClient.open(bridge.url, bridge.adminToken, { installationId });
  const reply = await ws.command('register_fcm', { token: fcmToken, installationId, platform: 'android' });
  expect(reply).toMatchObject({ success: true, data: { registered: true, installationId } });
  return ws;
}

async function socketCount(): Promise<number> {
  const health = (await (await fetch(`${bridge.url}/api/health`, { headers: { apikey: bridge.adminToken } })).json()) as { websocketClients: number };
  return health.websocketClients;
}

/** Close the phone's socket and wait until the bridge has let go of it. */
async function goAway(ws: WsClient): Promise<void> {
  const before = await socketCount();
  ws.close();
  await ws.closed();
  await waitFor(async () => (await socketCount()) < before, 5000, 'socket gone on the bridge');
}

const pushedTo = (chatId: string) => fcm.requests.filter((r) => (r.message.data as { chatId: string }).chatId === chatId).map((r) => r.message.token);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'per-phone-push-'));
  const { file } = writeServiceAccount(tmp);
  fcm = installFakeFcm();
  bridge = createBridge(
    loadConfig({}, { port: 0, host: '127.0.0.1', dataDir: tmp, engine: 'demo', demoScanMs: 200, firebaseServiceAccount: file, logLevel: 'silent' }),
  );
  await bridge.start();
  await fetch(`${bridge.url}/api/connect`, { method: 'POST', headers: { apikey: bridge.adminToken, 'content-type': 'application/json' }, body: '{"slot":1}' });
  await waitFor(async () => {
    const slots = (await (await fetch(`${bridge.url}/api/slots`, { headers: { apikey: bridge.adminToken } })).json()) as { ready: boolean }[];
    return slots[0]!.ready;
  }, 10_000, 'slot 1 ready');
}, 30_000);

afterAll(async () => {
  await bridge?.stop();
  removeFakeFcm();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('push per phone', () => {
  it('pushes each away phone on its own FCM token, never suppressed by the admin tab', async () => {
    const adminTab = await WsClient.open(bridge.url, bridge.adminToken, { client: 'admin-app' });
    const a = await phone('7d444840-9dc0-11d1-b245-5ffdce74fad2', TOKEN_A);
    const b = await phone('cKd8Ce2mRUyQqTwNpgG3Xe', TOKEN_B);
    const old = await WsClient.open(bridge.url, bridge.adminToken);
    expect(await old.command('register_fcm', { token: TOKEN_OLD })).toMatchObject({ success: true, data: { registered: true } });
    await goAway(old);

    // Phone B goes away; A stays open: B and the old app are pushed, A is not.
    await goAway(b);
    await send(SARAH, 'to sarah');
    await fcm.waitForRequests(2, 10_000);
    await adminTab.waitFrame((f) => f.type === 'new_message' && (f.message as { body: string }).body === 'Echo: to sarah');
    await new Promise((r) => setTimeout(r, 2500)); // past the coalescing window: nothing more comes
    expect(pushedTo(SARAH).sort()).toEqual([TOKEN_B, TOKEN_OLD].sort());

    // Now A goes too: every phone gets its own push; the admin tab is still open.
    await goAway(a);
    await send(OMAR, 'to omar');
    await fcm.waitForRequests(5, 10_000);
    expect(pushedTo(OMAR).sort()).toEqual([TOKEN_A, TOKEN_B, TOKEN_OLD].sort());
    adminTab.close();
  }, 30_000);

  it('refuses a malformed installation id, on the socket URL and in register_fcm', async () => {
    await expect(WsClient.open(bridge.url, bridge.adminToken, { installationId: 'has spaces' })).rejects.toThrow(/400/);
    const ws = await WsClient.open(bridge.url, bridge.adminToken);
    try {
      const reply = await ws.command('register_fcm', { token: TOKEN_A, installationId: 'no/slashes' });
      expect(reply).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('installationId') } });
    } finally {
      ws.close();
    }
  });
});
