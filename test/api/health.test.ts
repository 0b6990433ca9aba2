import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSlot, startBridge, WsClient, type TestBridge } from '../helpers/bridge.js';

describe('health, metrics, OpenAPI, settings, logs', () => {
  let t: TestBridge;
  /** Everything the bridge logged, as written to its log stream. */
  let logged = '';
  beforeAll(async () => {
    const capture = new Writable({
      write: (chunk, _enc, done) => {
        logged += String(chunk);
        done();
      },
    });
    t = await startBridge({ slots: 2 }, { logDestination: capture });
    await connectSlot(t, 1);
  });
  afterAll(() => t.stop());

  it('health per slot and overall', async () => {
    const res = await t.http.get('/api/health').set('apikey', t.token).expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      engine: 'demo',
      archive: { ok: true, backend: 'sqlite' },
      push: { enabled: false },
      uptimeSeconds: expect.any(Number),
    });
    expect(res.body.slots[0]).toMatchObject({ slot: 1, state: 'READY', gatewayStatus: 'connected', restarts: 0, lastError: null });
    expect(res.body.slots[1]).toMatchObject({ slot: 2, state: 'STOPPED', gatewayStatus: 'disconnected' });
  });

  it('Prometheus metrics with slot states and counters', async () => {
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '15550400001', message: 'm' }).expect(200);
    const res = await t.http.get('/metrics').set('apikey', t.token).expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('wa_slot_state{slot="1",state="READY"} 1');
    expect(res.text).toMatch(/wa_messages_sent_total\{slot="1"\} [1-9]/);
    expect(res.text).toContain('wa_http_request_duration_seconds_bucket');
    expect(res.text).toContain('wa_outbox_size 0');
  });

  it('serves an OpenAPI 3 document covering the routes', async () => {
    const res = await t.http.get('/api/openapi.json').set('apikey', t.token).expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    for (const path of ['/api/connect', '/api/send', '/api/send-media', '/api/send-poll', '/api/archive/search', '/api/devices']) {
      expect(res.body.paths).toHaveProperty([path]);
    }
    const send = res.body.paths['/api/send'].post.requestBody.content['application/json'].schema;
    expect(send.properties).toHaveProperty('message');
    expect(send.properties.message.maxLength).toBe(4096);
  });

  it('settings: read, change (saved for the next start), refuse bad values', async () => {
    const before = await t.http.get('/api/settings').set('apikey', t.token).expect(200);
    expect(before.body.data).toMatchObject({ slots: 2, engine: 'demo', dbUrl: null, ratePerMinute: 10 });
    const put = await t.http.put('/api/settings').set('apikey', t.token).send({ slots: 4, dbUrl: 'mysql://u:secret@127.0.0.1:3306/db' }).expect(200);
    expect(put.body.data).toMatchObject({ slots: 4, dbUrl: 'mysql://u:****@127.0.0.1:3306/db' });
    expect(put.body.restartRequired.sort()).toEqual(['dbUrl', 'slots']);
    for (const bad of [{ slots: 0 }, { port: 'x' }, { dbUrl: 'postgres://x' }, { unknown: 1 }]) {
      expect((await t.http.put('/api/settings').set('apikey', t.token).send(bad).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    }
    const audit = await t.http.get('/api/audit').set('apikey', t.token);
    expect(audit.body.data[0]).toMatchObject({ action: 'settings_changed' });
  });

  it('test-db answers ok for the local MariaDB and says why for a bad URL', async () => {
    // The settings test above saved a URL on 127.0.0.1:3306: other URLs on that server may be tried.
    const good = await t.http.post('/api/settings/test-db').set('apikey', t.token).send({ dbUrl: 'mysql://root@127.0.0.1:3306/test' }).expect(200);
    expect(good.body).toEqual({ success: true, ok: true });
    const bad = await t.http.post('/api/settings/test-db').set('apikey', t.token).send({ dbUrl: 'mysql://nobody-here:x@127.0.0.1:3306/test' }).expect(200);
    expect(bad.body).toMatchObject({ success: true, ok: false, error: expect.any(String) });
    const saved = await t.http.post('/api/settings/test-db').set('apikey', t.token).send({}).expect(200);
    expect(saved.body).toMatchObject({ success: true, ok: false, error: expect.any(String) }); // u:secret does not exist
  });

  it('test-db refuses a host or port other than the configured database server (no port probing)', async () => {
    for (const dbUrl of ['mysql://root@127.0.0.1:1/test', 'mysql://root@127.0.0.2:3306/test', 'mysql://root@localhost:22/x']) {
      const res = await t.http.post('/api/settings/test-db').set('apikey', t.token).send({ dbUrl }).expect(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('save') });
    }
  });

  it('recent log lines never carry tokens', async () => {
    // Every place a token travels: query strings, both headers, a wrong token, the WebSocket URL,
    // a freshly minted device token.
    const wrong = 'wrong-token-that-must-not-be-logged-0123';
    await t.http.get('/api/slots').query({ token: t.token, apikey: t.token }).set('apikey', t.token).expect(200);
    await t.http.get('/api/slots').set('Authorization', `Bearer ${wrong}`).expect(401);
    await t.http.get(`/api/nowhere?token=${wrong}`).set('apikey', wrong).expect(401);
    const device = await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'Log test' }).expect(201);
    const ws = await WsClient.open(t.bridge.url, device.body.token as string);
    await ws.command('ping');
    ws.close();
    expect(logged).toContain('"msg":"request"'); // the requests above were logged …
    for (const secret of [t.token, wrong, device.body.token as string]) expect(logged).not.toContain(secret); // … without a token
    const res = await t.http.get('/api/logs').set('apikey', t.token).expect(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    expect(res.body.data[0]).toMatchObject({ id: expect.any(Number), time: expect.any(Number), level: expect.any(String), msg: expect.any(String), kind: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toContain(t.token);
  });

  it('pairing lists LAN addresses with the bound HTTPS port and the certificate fingerprint', async () => {
    const res = await t.http.get('/api/pairing').set('apikey', t.token).expect(200);
    expect(res.body).toMatchObject({ success: true, port: t.bridge.httpsPort, addresses: expect.any(Array), fingerprint: expect.stringMatching(/^[0-9A-F:]{95}$/), nextFingerprint: null, lanHttp: false, host: '127.0.0.1', loopbackOnly: true });
    // On 127.0.0.1 no LAN address is reachable, and each says so.
    for (const a of res.body.addresses) expect(a.reachable).toBe(false);
  });
});
