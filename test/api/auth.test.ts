import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, WsClient, type TestBridge } from '../helpers/bridge.js';

const ROUTES: [string, string][] = [
  ['post', '/api/connect'],
  ['post', '/api/disconnect'],
  ['get', '/api/slots'],
  ['get', '/api/slots/1/qr'],
  ['post', '/api/send'],
  ['post', '/api/send-media'],
  ['post', '/api/send-poll'],
  ['get', '/api/avatar?slot=1&phone=962781523783'],
  ['get', '/api/archive?slot=1&chatId=1@c.us'],
  ['get', '/api/archive/search?slot=1&query=x'],
  ['get', '/api/chats?slot=1'],
  ['get', '/api/messages?slot=1&chatId=1@c.us'],
  ['post', '/api/mark-read'],
  ['post', '/api/test-connection'],
  ['get', '/api/health'],
  ['get', '/api/audit'],
  ['get', '/api/devices'],
  ['post', '/api/devices'],
  ['delete', '/api/devices/x'],
  ['get', '/api/settings'],
  ['get', '/api/openapi.json'],
  ['get', '/metrics'],
  ['get', '/api/nope'],
];

describe('authentication', () => {
  let t: TestBridge;
  beforeAll(async () => {
    t = await startBridge();
  });
  afterAll(() => t.stop());

  it.each(ROUTES)('%s %s without a token → 401 and nothing else', async (method, route) => {
    const req = (t.http as unknown as Record<string, (r: string) => import('supertest').Test>)[method]!(route);
    const res = await req.expect(401);
    expect(res.body).toEqual({ success: false, error: { code: 'UNAUTHORIZED', message: 'missing or invalid token' } });
  });

  it('a wrong token is 401; apikey and Bearer both work', async () => {
    await t.http.get('/api/slots').set('apikey', 'wrong-token-wrong-token').expect(401);
    await t.http.get('/api/slots').set('Authorization', 'Bearer nope').expect(401);
    await t.http.get('/api/slots').set('apikey', t.token).expect(200);
    await t.http.get('/api/slots').set('Authorization', `Bearer ${t.token}`).expect(200);
  });

  it('healthz needs no token', async () => {
    const res = await t.http.get('/healthz').expect(200);
    expect(res.text).toBe('ok');
  });

  it('devices: create (token shown once), list, use, forbidden on admin routes, revoke', async () => {
    const created = await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'Owner phone' }).expect(201);
    expect(created.body).toEqual({ success: true, deviceId: expect.any(String), token: expect.any(String), slots: null, role: 'manage' });
    const { deviceId, token } = created.body as { deviceId: string; token: string };

    const list = await t.http.get('/api/devices').set('apikey', t.token).expect(200);
    expect(list.body.data).toEqual([{ deviceId, name: 'Owner phone', createdAt: expect.any(Number), lastSeenAt: null, slots: null, role: 'manage' }]);
    expect(JSON.stringify(list.body)).not.toContain(token);

    await t.http.get('/api/slots').set('apikey', token).expect(200);
    for (const route of ['/api/devices', '/api/audit', '/api/settings', '/api/logs', '/api/pairing']) {
      const res = await t.http.get(route).set('apikey', token).expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    const seen = await t.http.get('/api/devices').set('apikey', t.token);
    expect(seen.body.data[0].lastSeenAt).toEqual(expect.any(Number));

    const ws = await WsClient.open(t.bridge.url, token);
    const closed = ws.closed();
    await t.http.delete(`/api/devices/${deviceId}`).set('apikey', t.token).expect(200);
    expect((await closed).code).toBe(4001);
    await t.http.get('/api/slots').set('apikey', token).expect(401);
    await t.http.delete(`/api/devices/${deviceId}`).set('apikey', t.token).expect(404);
    await expect(WsClient.open(t.bridge.url, token)).rejects.toThrow(/401/);

    const audit = await t.http.get('/api/audit').set('apikey', t.token).expect(200);
    expect(audit.body.data.map((e: { action: string }) => e.action).slice(0, 2)).toEqual(['device_revoked', 'device_added']);
    expect(audit.body.data[0]).toMatchObject({ actor: 'admin', ip: expect.any(String) });
  });

  it('device names are validated', async () => {
    const res = await t.http.post('/api/devices').set('apikey', t.token).send({ name: '  ' }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('name') });
  });

  it('WebSocket refuses a missing or bad token at the upgrade', async () => {
    await expect(WsClient.open(t.bridge.url)).rejects.toThrow(/401/);
    await expect(WsClient.open(t.bridge.url, 'bad')).rejects.toThrow(/401/);
  });

  it('no CORS headers by default', async () => {
    const res = await t.http.get('/api/slots').set('apikey', t.token).set('Origin', 'http://evil.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('network reach', () => {
  it('refuses addresses outside the allowed networks, even with a token (HTTP and WS)', async () => {
    const t = await startBridge({ allowCidrs: '10.0.0.0/8' });
    try {
      const res = await t.http.get('/api/slots').set('apikey', t.token).expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      await expect(WsClient.open(t.bridge.url, t.token)).rejects.toThrow(/403/);
    } finally {
      await t.stop();
    }
  });

  it('allowed origins get CORS headers when configured', async () => {
    const t = await startBridge({ corsOrigins: 'http://app.local' });
    try {
      const res = await t.http.get('/api/slots').set('apikey', t.token).set('Origin', 'http://app.local').expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('http://app.local');
    } finally {
      await t.stop();
    }
  });
});
