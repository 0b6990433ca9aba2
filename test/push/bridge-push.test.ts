// End to end on the demo engine: a phone registers its FCM token over the WebSocket, goes away,
// and the demo account's echo replies arrive. The normal chat is pushed through firebase-admin
// (answered by nock); the demo's muted chat is suppressed; FCM hanging never holds up new_message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createBridge } from '../../bridge/bridge.js';
import { loadConfig } from '../../bridge/config.js';
import type { Bridge, BridgeEvent } from '../../bridge/types.js';
import { installFakeFcm, removeFakeFcm, writeServiceAccount, type FakeFcm } from './fcm-fixture.js';

const SARAH = '447700900123@c.us';
const MUTED = '15550123456@c.us';
const PHONE_TOKEN = 'demo-phone-token:APA91bE2eTestTokenForBridgeLevelPush';

let tmp: string;
let bridge: Bridge;
let fcm: FakeFcm;
const events: (BridgeEvent & { at: number })[] = [];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function api(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${bridge.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${bridge.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function metric(text: string, line: string): number {
  const hit = text.split('\n').find((l) => l.startsWith(line + ' '));
  return hit ? Number(hit.slice(line.length + 1)) : 0;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-push-'));
  const { file } = writeServiceAccount(tmp);
  fcm = installFakeFcm();
  bridge = createBridge(
    loadConfig({}, { port: 0, host: '127.0.0.1', dataDir: tmp, engine: 'demo', demoScanMs: 300, firebaseServiceAccount: file, logLevel: 'silent' }),
  );
  await bridge.start();
  bridge.onEvent((e) => events.push({ ...e, at: Date.now() }));

  // The phone registers its token over the WebSocket, then the app is closed.
  const ws = new WebSocket(`${bridge.url.replace('http', 'ws')}/ws?token=${bridge.adminToken}`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const reply = new Promise<any>((resolve) => ws.on('message', (raw) => {
    const frame = JSON.parse(String(raw));
    if (frame.type === 'register_fcm') resolve(frame);
  }));
  ws.send(JSON.stringify({ type: 'register_fcm', requestId: 'r1', token: PHONE_TOKEN, platform: 'android' }));
  expect(await reply).toMatchObject({ type: 'register_fcm', requestId: 'r1', success: true, data: { registered: true } });
  ws.close();
  await new Promise((resolve) => ws.once('close', resolve));
  await sleep(100); // let the server see the socket go

  expect((await api('POST', '/api/connect', { slot: 1 })).status).toBe(200);
  await until('slot 1 ready', async () => (await api('GET', '/api/slots')).json?.[0]?.ready === true);
}, 30_000);

afterAll(async () => {
  await bridge?.stop();
  removeFakeFcm();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('push through the bridge (demo engine)', () => {
  it('reports push as on in /api/health', async () => {
    const health = await api('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(JSON.stringify(health.json)).toMatch(/"push":\{[^}]*"enabled":true/);
  });

  it('pushes the echo from a normal chat and suppresses the one from the muted chat', async () => {
    expect((await api('POST', '/api/send', { slot: 1, chatId: MUTED, message: 'any news on prices?' })).status).toBe(200);
    expect((await api('POST', '/api/send', { slot: 1, chatId: SARAH, message: 'see you at 8' })).status).toBe(200);

    // Both echoes reach the WebSocket side as new_message …
    await until('both echoes', () =>
      [MUTED, SARAH].every((chatId) => events.some((e) => e.type === 'new_message' && e.message.chatId === chatId && !e.message.fromMe)),
    );
    // … but only Sarah's becomes a push (after the 2 s coalescing window).
    await fcm.waitForRequests(1, 10_000);
    await sleep(2500); // long enough for the muted chat's window too, had it been opened
    expect(fcm.requests).toHaveLength(1);
    const sarahEcho = events.find((e) => e.type === 'new_message' && e.message.chatId === SARAH && !e.message.fromMe);
    expect(fcm.requests[0]).toEqual({
      message: {
        token: PHONE_TOKEN,
        notification: { title: 'Sarah Jones', body: 'Echo: see you at 8' },
        data: { slot: '1', chatId: SARAH, messageId: sarahEcho?.type === 'new_message' ? sarahEcho.message.id : '?', type: 'chat', count: '1' },
        android: { collapse_key: `1:${SARAH}`, priority: 'high', notification: { tag: `1:${SARAH}` } },
        apns: { headers: { 'apns-priority': '10', 'apns-collapse-id': `1:${SARAH}` } },
      },
    });

    const metrics = await fetch(`${bridge.url}/metrics`, { headers: { authorization: `Bearer ${bridge.adminToken}` } }).then((r) => r.text());
    expect(metric(metrics, 'wa_push_suppressed_total{reason="muted"}')).toBe(1);
    expect(metric(metrics, 'wa_push_sent_total')).toBe(1);
  }, 20_000);

  it('keeps broadcasting new_message to the WebSocket while FCM hangs', async () => {
    fcm.fallback = { status: 200, body: {}, delayMs: 8000 };
    const seen = fcm.requests.length;
    await api('POST', '/api/send', { slot: 1, chatId: SARAH, message: 'first' });
    await fcm.waitForRequests(seen + 1, 10_000); // a push is now stuck inside FCM
    const stuck = fcm.replied;
    // A phone (no longer the one registered for push) is listening on the WebSocket.
    const device = (await api('POST', '/api/devices', { name: 'listener' })).json as { token: string };
    const ws = new WebSocket(`${bridge.url.replace('http', 'ws')}/ws?token=${device.token}`);
    const frames: any[] = [];
    ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    try {
      await api('POST', '/api/send', { slot: 1, chatId: SARAH, message: 'second' });
      await until('echo of second on the WebSocket', () =>
        frames.find((f) => f.type === 'new_message' && f.message.chatId === SARAH && f.message.body === 'Echo: second'),
        6000,
      );
      // It arrived while the stuck push was still unanswered: nothing on the way waited for FCM.
      expect(fcm.replied).toBe(stuck);
    } finally {
      ws.close();
    }
  }, 20_000);
});
