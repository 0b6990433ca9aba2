// Device scopes: which slots and a role (read / send / manage), enforced alike in REST,
// WebSocket (commands and events), push and GraphQL; phones paired before scopes keep working.
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../bridge/auth/tokens.js';
import { connectSlot, startBridge, tempDir, WsClient, type TestBridge } from '../helpers/bridge.js';

describe('device scopes', () => {
  let t: TestBridge;
  const admin = (method: 'get' | 'post', route: string, body?: object) => {
    const req = t.http[method](route).set('apikey', t.token);
    return body ? req.send(body) : req;
  };
  async function pair(scope: object): Promise<string> {
    const res = await admin('post', '/api/devices', { name: 'phone', ...scope }).expect(201);
    return res.body.token as string;
  }
  const gql = async (token: string, query: string) => {
    const res = await fetch(`${t.bridge.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', apikey: token }, body: JSON.stringify({ query }) });
    return (await res.json()) as { data?: Record<string, any> | null; errors?: { message: string; extensions: { code: string } }[] };
  };

  beforeAll(async () => {
    t = await startBridge({ slots: 3 });
    await connectSlot(t, 1);
    await connectSlot(t, 2);
  });
  afterAll(() => t.stop());

  it('pairing stores and lists the scope; bad scopes are refused', async () => {
    const res = await admin('post', '/api/devices', { name: 'Till', slots: [2, 2], role: 'send' }).expect(201);
    expect(res.body).toMatchObject({ success: true, slots: [2], role: 'send' });
    const list = await admin('get', '/api/devices').expect(200);
    expect(list.body.data.find((d: { deviceId: string }) => d.deviceId === res.body.deviceId)).toMatchObject({ name: 'Till', slots: [2], role: 'send' });

    for (const [body, code] of [
      [{ name: 'x', role: 'owner' }, 'VALIDATION_ERROR'],
      [{ name: 'x', slots: [] }, 'VALIDATION_ERROR'],
      [{ name: 'x', slots: 'all' }, 'VALIDATION_ERROR'],
      [{ name: 'x', slots: [7] }, 'INVALID_SLOT'],
    ] as const) {
      const bad = await admin('post', '/api/devices', body).expect(400);
      expect(bad.body.error.code).toBe(code);
    }
  });

  it('a read token cannot send (403 in REST, WebSocket and GraphQL) but can read', async () => {
    const token = await pair({ role: 'read' });
    const send = await t.http.post('/api/send').set('apikey', token).send({ slot: 1, phone: '962781523783', message: 'x' }).expect(403);
    expect(send.body.error).toEqual({ code: 'FORBIDDEN', message: expect.stringMatching(/limited to "read".*needs "send"/) });
    await t.http.post('/api/test-connection').set('apikey', token).send({ slot: 1, phone: '962781523783' }).expect(403);
    await t.http.post('/api/connect').set('apikey', token).send({ slot: 1 }).expect(403);
    await t.http.get('/api/chats?slot=1').set('apikey', token).expect(200);
    await t.http.get('/api/archive?slot=1&chatId=962781523783@c.us').set('apikey', token).expect(200);

    const ws = await WsClient.open(t.bridge.url, token);
    const reply = await ws.command('send_message', { slot: 1, phone: '962781523783', message: 'x' });
    expect(reply).toMatchObject({ success: false, error: { code: 'FORBIDDEN' } });
    expect((await ws.command('get_conversations', { slot: 1 })).success).toBe(true);
    ws.close();

    const g = await gql(token, 'mutation { sendWhatsAppNotification(phoneNumber: "962781523783", message: "x") }');
    expect(g.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect((await gql(token, '{ whatsAppStatus { connected } }')).data).toEqual({ whatsAppStatus: { connected: true } });
  });

  it('a send token cannot connect, disconnect or see the QR; manage can', async () => {
    const sender = await pair({ role: 'send' });
    await t.http.post('/api/disconnect').set('apikey', sender).send({ slot: 3 }).expect(403);
    await t.http.get('/api/slots/3/qr').set('apikey', sender).expect(403);
    expect((await gql(sender, 'mutation { whatsAppConnect(slot: 3) }')).errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    await t.http.post('/api/send').set('apikey', sender).send({ slot: 1, phone: '962781523783', message: 'ok' }).expect(200);

    const manager = await pair({ role: 'manage', slots: [3] });
    await t.http.post('/api/disconnect').set('apikey', manager).send({ slot: 3 }).expect(200);
    expect((await gql(manager, 'mutation { whatsAppDisconnect }')).data).toEqual({ whatsAppDisconnect: true }); // its default slot: 3
    await t.http.post('/api/disconnect').set('apikey', manager).send({ slot: 1 }).expect(403);
  });

  it('a slot-2 token gets no event of slot 1 and cannot read its chats, archive or search hits', async () => {
    const token = await pair({ slots: [2], role: 'send' });
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '447700900123', message: 'secret of slot one' }).expect(200);
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 2, phone: '447700900123', message: 'hello slot two' }).expect(200);

    for (const route of ['/api/chats?slot=1', '/api/messages?slot=1&chatId=447700900123@c.us', '/api/archive?slot=1&chatId=447700900123@c.us', '/api/archive/search?slot=1&query=secret', '/api/archive/search?query=secret', '/api/avatar?slot=1&phone=447700900123', '/api/poll-votes?slot=1&messageId=x']) {
      const res = await t.http.get(route).set('apikey', token).expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    await t.http.get('/api/chats?slot=2').set('apikey', token).expect(200);
    const slots = await t.http.get('/api/slots').set('apikey', token).expect(200);
    expect(slots.body.map((s: { slot: number }) => s.slot)).toEqual([2]);

    const g = await gql(token, '{ slots { slot } whatsAppStatus { slot } }');
    expect(g.data).toEqual({ slots: [{ slot: 2 }], whatsAppStatus: { slot: 2 } });
    expect((await gql(token, '{ whatsAppStatus(slot: 1) { connected } }')).errors?.[0]?.extensions.code).toBe('FORBIDDEN');

    // Events: frames to one socket keep their order, so slot 1's would arrive before slot 2's.
    const ws = await WsClient.open(t.bridge.url, token);
    const adminWs = await WsClient.open(t.bridge.url, t.token);
    expect((await ws.command('subscribe', { slots: [] })).data).toEqual({ slots: [2] });
    expect((await ws.command('subscribe', { slots: [1] })).error).toMatchObject({ code: 'FORBIDDEN' });
    expect((await ws.command('get_messages', { slot: 1, chatId: '447700900123@c.us' })).error).toMatchObject({ code: 'FORBIDDEN' });
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '447700900123', message: 'event one' }).expect(200);
    await adminWs.waitFrame((f) => f.type === 'new_message' && f.slot === 1, 5000, 'slot 1 event at the admin');
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 2, phone: '447700900123', message: 'event two' }).expect(200);
    await ws.waitFrame((f) => f.type === 'new_message' && f.slot === 2, 5000, 'slot 2 event');
    expect(ws.frames.filter((f) => 'slot' in f && f.slot === 1 && !('requestId' in f))).toEqual([]);
    ws.close();
    adminWs.close();
  });
});

describe('phones paired before scopes', () => {
  it('upgrade in place to every slot and their current power (manage)', async () => {
    const dataDir = tempDir();
    // The state database as the previous release left it (schema version 1) with one phone.
    const db = new Database(path.join(dataDir, 'bridge.db'));
    db.exec(`CREATE TABLE devices (id TEXT PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, last_seen_at INTEGER);
      CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT, ip TEXT);
      CREATE TABLE slot_wishes (slot INTEGER PRIMARY KEY, connected INTEGER NOT NULL);
      CREATE TABLE outbox (id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, slot INTEGER NOT NULL, chat_id TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, attempted_at INTEGER, message_id TEXT, error TEXT, created_at INTEGER NOT NULL);
      CREATE TABLE idempotency (slot INTEGER NOT NULL, key TEXT NOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (slot, key));`);
    const oldToken = 'an-old-phone-token-paired-long-ago';
    db.prepare('INSERT INTO devices (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)').run('old-phone', 'Old phone', hashToken(oldToken), 1);
    db.pragma('user_version = 1');
    db.close();

    const t = await startBridge({ dataDir, slots: 2 });
    try {
      const list = await t.http.get('/api/devices').set('apikey', t.token).expect(200);
      expect(list.body.data).toEqual([expect.objectContaining({ deviceId: 'old-phone', slots: null, role: 'manage' })]);
      await t.http.post('/api/connect').set('apikey', oldToken).send({ slot: 2 }).expect(200);
      const slots = await t.http.get('/api/slots').set('apikey', oldToken).expect(200);
      expect(slots.body).toHaveLength(2);
    } finally {
      await t.stop();
    }
  });
});
