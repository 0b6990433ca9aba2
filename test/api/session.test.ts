// Admin-app sign-in by cookie (issue 16): the token is exchanged for an HttpOnly, SameSite=Strict
// session cookie that REST and the WebSocket accept; sign-out and revoking the token end it; a
// cookie alone cannot change anything without the CSRF header; bearer tokens work as before.
import https from 'node:https';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';

/** The cookie pair (`wab_session=…`) from a sign-in answer. */
function cookieOf(res: { headers: Record<string, unknown> }): string {
  const set = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
  const line = set.find((c) => c.startsWith('wab_session='));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(set)}`);
  return line.split(';')[0]!;
}

function openWs(t: TestBridge, headers: Record<string, string>): Promise<WebSocket & { hello: Promise<Record<string, unknown>> }> {
  const ws = Object.assign(new WebSocket(`${t.bridge.url.replace('http', 'ws')}/ws?client=admin-app`, { headers }), { hello: null as unknown as Promise<Record<string, unknown>> });
  ws.hello = new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('cookie sign-in', () => {
  let t: TestBridge;
  beforeAll(async () => {
    t = await startBridge({ slots: 2 });
  });
  afterAll(() => t.stop());

  const signIn = async (token = t.token) => cookieOf(await t.http.post('/api/session').send({ token }).expect(200));

  it('exchanges the admin token for an HttpOnly, SameSite=Strict cookie that holds no token', async () => {
    const res = await t.http.post('/api/session').send({ token: t.token }).expect(200);
    expect(res.body).toMatchObject({ success: true, signedIn: true, kind: 'admin' });
    expect(res.body.expiresAt).toBeGreaterThan(Date.now() + 24 * 3600_000);
    expect(JSON.stringify(res.body)).not.toContain(t.token);
    const line = ([] as string[]).concat(res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('wab_session='))!;
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; SameSite=Strict/i);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/; Secure/i); // plain http://127.0.0.1: a Secure cookie would never come back
    expect(line).not.toContain(t.token);
  });

  it('the cookie alone signs REST in, in any number of tabs (requests) at once', async () => {
    const cookie = await signIn();
    await t.http.get('/api/slots').expect(401);
    const [a, b] = await Promise.all([t.http.get('/api/slots').set('cookie', cookie), t.http.get('/api/health').set('cookie', cookie)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const state = await t.http.get('/api/session').set('cookie', cookie).expect(200);
    expect(state.body).toMatchObject({ success: true, signedIn: true, kind: 'admin' });
    expect((await t.http.get('/api/session').expect(200)).body).toEqual({ success: true, signedIn: false });
  });

  it('stores only hashes: the cookie value is nowhere in bridge.db', async () => {
    const cookie = await signIn();
    const id = cookie.split('=')[1]!;
    const db = new Database(path.join(t.dataDir, 'bridge.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
      expect(rows.length).toBeGreaterThan(0);
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(id);
      expect(dump).not.toContain(t.token);
    } finally {
      db.close();
    }
  });

  it('bad sign-in input: wrong token 401, no body or no token 400, a form post 400', async () => {
    const wrong = await t.http.post('/api/session').send({ token: 'not-the-token-at-all' }).expect(401);
    expect(wrong.body.error.code).toBe('UNAUTHORIZED');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await t.http.post('/api/session').expect(400)).body.error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((await t.http.post('/api/session').send({}).expect(400)).body.error.message).toBe('token is required');
    expect((await t.http.post('/api/session').send({ token: 42 }).expect(400)).body.error.message).toBe('token must be a non-empty text');
    expect((await t.http.post('/api/session').send({ token: '   ' }).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    expect((await t.http.post('/api/session').send({ token: 'x'.repeat(600) }).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    expect((await t.http.post('/api/session').send([t.token]).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    // What a cross-site <form> can send: not JSON, so not read as a sign-in.
    await t.http.post('/api/session').type('form').send({ token: t.token }).expect(400);
    await t.http.post('/api/session').set('content-type', 'application/json').send('{"token":').expect(400);
    // A garbage cookie is simply no session.
    await t.http.get('/api/slots').set('cookie', 'wab_session=%00%01;').expect(401);
    await t.http.get('/api/slots').set('cookie', 'wab_session=abcdefghijklmnopqrstuvwxyz').expect(401);
  });

  it('CSRF: a cookie-signed change needs the x-wab-csrf header; another site\'s Origin is refused', async () => {
    const cookie = await signIn();
    const bare = await t.http.post('/api/connect').set('cookie', cookie).send({ slot: 1 }).expect(403);
    expect(bare.body.error).toEqual({ code: 'FORBIDDEN', message: 'a request signed in by cookie that changes something needs the x-wab-csrf header' });
    await t.http.put('/api/settings').set('cookie', cookie).send({}).expect(403);
    await t.http.post('/api/connect').set('cookie', cookie).set('x-wab-csrf', '1').send({ slot: 1 }).expect(200);
    const host = new URL(t.bridge.url).host;
    await t.http.get('/api/slots').set('cookie', cookie).set('origin', `http://${host}`).expect(200);
    const cross = await t.http.post('/api/connect').set('cookie', cookie).set('x-wab-csrf', '1').set('origin', 'https://evil.example').send({ slot: 1 }).expect(403);
    expect(cross.body.error.code).toBe('FORBIDDEN');
    await t.http.get('/api/slots').set('cookie', cookie).set('origin', 'null').expect(403);
    await t.http.post('/api/session').set('origin', 'https://evil.example').send({ token: t.token }).expect(403);
    // Bearer tokens (phones, scripts) are unchanged: no header needed, cookie or not.
    await t.http.post('/api/connect').set('apikey', t.token).send({ slot: 2 }).expect(200);
    await t.http.post('/api/connect').set('apikey', t.token).set('cookie', 'wab_session=abcdefghijklmnopqrstuvwxyz').send({ slot: 2 }).expect(200);
  });

  it('sign-out ends the session everywhere, clears the cookie and closes its sockets', async () => {
    const cookie = await signIn();
    const other = await signIn(); // another browser: unaffected
    const ws = await openWs(t, { cookie, origin: t.bridge.url });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await t.http.delete('/api/session').set('cookie', cookie).expect(403); // no CSRF header: still signed in
    await t.http.get('/api/slots').set('cookie', cookie).expect(200);
    const out = await t.http.delete('/api/session').set('cookie', cookie).set('x-wab-csrf', '1').expect(200);
    expect(out.body).toEqual({ success: true, signedIn: false });
    const cleared = ([] as string[]).concat(out.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('wab_session='))!;
    expect(cleared).toMatch(/^wab_session=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(await closed).toBe(4001);
    const after = await t.http.get('/api/slots').set('cookie', cookie).expect(401);
    expect(after.body.error.message).toMatch(/sign in again/);
    expect((await t.http.get('/api/session').set('cookie', cookie)).body.signedIn).toBe(false);
    await expect(openWs(t, { cookie, origin: t.bridge.url })).rejects.toThrow('401');
    await t.http.get('/api/slots').set('cookie', other).expect(200);
    // Signing out without a session is harmless.
    await t.http.delete('/api/session').expect(200);
  });

  it('the WebSocket accepts the cookie from this origin only', async () => {
    const cookie = await signIn();
    const ws = await openWs(t, { cookie, origin: t.bridge.url });
    const hello = await ws.hello;
    expect(hello.type).toBe('hello');
    ws.close();
    await expect(openWs(t, { cookie, origin: 'https://evil.example' })).rejects.toThrow('403');
    await expect(openWs(t, { cookie: 'wab_session=abcdefghijklmnopqrstuvwxyz', origin: t.bridge.url })).rejects.toThrow('401');
  });

  it('a device token signs in with its own scope; revoking the device ends the session and its sockets', async () => {
    const dev = await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'Desk', role: 'read', slots: [1] }).expect(201);
    const res = await t.http.post('/api/session').send({ token: dev.body.token }).expect(200);
    expect(res.body).toMatchObject({ signedIn: true, kind: 'device', deviceId: dev.body.deviceId });
    const cookie = cookieOf(res);
    // Slot 1 was connected by an earlier test: on a loaded machine it may not be READY yet.
    await waitFor(async () => (await t.http.get('/api/slots').set('apikey', t.token)).body.find((s: { slot: number }) => s.slot === 1)?.ready, 20_000, 'slot 1 ready');
    await t.http.get('/api/chats?slot=1').set('cookie', cookie).expect(200);
    await t.http.get('/api/chats?slot=2').set('cookie', cookie).expect(403); // its slots only
    await t.http.get('/api/devices').set('cookie', cookie).expect(403); // admin-only
    const ws = await openWs(t, { cookie, origin: t.bridge.url });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await t.http.delete(`/api/devices/${dev.body.deviceId}`).set('apikey', t.token).expect(200);
    expect(await closed).toBe(4001);
    await t.http.get('/api/chats?slot=1').set('cookie', cookie).expect(401);
    await t.http.post('/api/session').send({ token: dev.body.token }).expect(401);
  });

  it('a restart drops expired sessions from bridge.db, with no sign-in needed', async () => {
    const u = await startBridge({ slots: 1 });
    const cookie = cookieOf(await u.http.post('/api/session').send({ token: u.token }).expect(200));
    await u.stop();
    const file = path.join(u.dataDir, 'bridge.db');
    const raw = new Database(file);
    raw.prepare('UPDATE sessions SET expires_at = 1').run();
    raw.close();
    const again = await startBridge({ slots: 1, dataDir: u.dataDir });
    try {
      const check = new Database(file, { readonly: true });
      const left = check.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number };
      check.close();
      expect(left.n).toBe(0);
      await again.http.get('/api/slots').set('cookie', cookie).expect(401);
    } finally {
      await again.stop();
    }
  });

  it('sessions outlive a restart of the bridge (kept in bridge.db)', async () => {
    const u = await startBridge({ slots: 1 });
    const cookie = cookieOf(await u.http.post('/api/session').send({ token: u.token }).expect(200));
    await u.stop();
    const again = await startBridge({ slots: 1, dataDir: u.dataDir });
    try {
      await waitFor(async () => (await again.http.get('/api/slots').set('cookie', cookie)).status === 200, 5000, 'signed in after restart');
    } finally {
      await again.stop();
    }
  });
});

describe('cookie sign-in over HTTPS', () => {
  let t: TestBridge;
  beforeAll(async () => {
    t = await startBridge({ slots: 1 }, {}, { WA_BRIDGE_HTTPS_PORT: '0' });
  });
  afterAll(() => t.stop());

  it('marks the cookie Secure', async () => {
    const port = t.bridge.httpsPort!;
    expect(port).toBeGreaterThan(0);
    const setCookie = await new Promise<string[]>((resolve, reject) => {
      const body = JSON.stringify({ token: t.token });
      const req = https.request(
        { host: '127.0.0.1', port, path: '/api/session', method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(res.headers['set-cookie'] ?? []) : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(setCookie.find((c) => c.startsWith('wab_session='))).toMatch(/; Secure/i);
  });
});
