import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSlot, startBridge, waitFor, WsClient, type TestBridge } from '../helpers/bridge.js';

describe('slots', () => {
  let t: TestBridge;
  beforeAll(async () => {
    t = await startBridge({ slots: 3, demoScanMs: 600 });
  });
  afterAll(() => t.stop());

  it('lists every slot in order with the seed fields first', async () => {
    const res = await t.http.get('/api/slots').set('apikey', t.token).expect(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body).toHaveLength(3);
    expect(Object.keys(res.body[0]).slice(0, 4)).toEqual(['slot', 'active', 'ready', 'hasQrCache']);
    expect(res.body[0]).toMatchObject({ slot: 1, active: false, ready: false, hasQrCache: false, state: 'STOPPED' });
  });

  it('connects: status and qr events, a scannable QR, then READY', async () => {
    const ws = await WsClient.open(t.bridge.url, t.token);
    const res = await t.http.post('/api/connect').set('apikey', t.token).send({ slot: 1 }).expect(200);
    expect(res.body).toEqual({ success: true, message: 'Slot 1 initialization triggered.' });

    const qr = await ws.waitFrame((f) => f.type === 'qr' && f.slot === 1);
    expect(String(qr.qr)).toMatch(/^data:image\/png;base64,/);
    const qrRes = await t.http.get('/api/slots/1/qr').set('apikey', t.token).expect(200);
    expect(qrRes.body).toMatchObject({ success: true, slot: 1, connected: false });
    expect(qrRes.body.qrCode).toMatch(/^data:image\/png;base64,/);
    expect(qrRes.body.qrCodeSvg).toMatch(/^<svg/);
    expect(qrRes.body.expiresAt).toBeGreaterThan(Date.now() / 1000);
    const slots = await t.http.get('/api/slots').set('apikey', t.token);
    expect(slots.body[0]).toMatchObject({ active: true, ready: false, hasQrCache: true, state: 'QR' });

    await ws.waitFrame((f) => f.type === 'status' && f.slot === 1 && f.state === 'READY' && f.ready === true);
    const states = ws.frames.filter((f) => f.type === 'status' && f.slot === 1).map((f) => f.state);
    expect(states).toEqual(['STARTING', 'QR', 'AUTHENTICATED', 'READY']);
    const after = await t.http.get('/api/slots').set('apikey', t.token);
    expect(after.body[0]).toMatchObject({ slot: 1, active: true, ready: true, hasQrCache: false, state: 'READY' });
    expect(after.body[0].phone).toMatch(/^\d+$/);
    // No QR once ready.
    const none = await t.http.get('/api/slots/1/qr').set('apikey', t.token).expect(404);
    expect(none.body.error.code).toBe('NOT_FOUND');
    ws.close();
  });

  it('connecting a ready slot again restarts nothing', async () => {
    const ws = await WsClient.open(t.bridge.url, t.token);
    const res = await t.http.post('/api/connect').set('apikey', t.token).send({ slot: 1 }).expect(200);
    expect(res.body.message).toBe('Slot 1 initialization triggered.');
    // A restart would broadcast STARTING at once; the pong, on the same socket, comes after it.
    await ws.command('ping');
    expect(ws.frames.filter((f) => f.type === 'status')).toHaveLength(0);
    ws.close();
  });

  it('disconnects with the seed reply and stops', async () => {
    await connectSlot(t, 2);
    const res = await t.http.post('/api/disconnect').set('apikey', t.token).send({ slot: 2 }).expect(200);
    expect(res.body).toEqual({ success: true, message: 'Slot 2 disconnected and destroyed.' });
    const slots = await t.http.get('/api/slots').set('apikey', t.token);
    expect(slots.body[1]).toMatchObject({ slot: 2, active: false, ready: false, state: 'STOPPED' });
  });

  it('logout deletes the session so the next connect shows a fresh QR', async () => {
    await connectSlot(t, 3);
    await t.http.post('/api/disconnect').set('apikey', t.token).send({ slot: 3, logout: true }).expect(200);
    const ws = await WsClient.open(t.bridge.url, t.token);
    await t.http.post('/api/connect').set('apikey', t.token).send({ slot: 3 }).expect(200);
    await ws.waitFrame((f) => f.type === 'qr' && f.slot === 3);
    await waitFor(() => ws.frames.some((f) => f.type === 'status' && f.slot === 3 && f.state === 'READY'));
    ws.close();
  });

  it.each([
    [{ slot: 0 }, 'INVALID_SLOT'],
    [{ slot: 4 }, 'INVALID_SLOT'],
    [{ slot: -1 }, 'INVALID_SLOT'],
    [{}, 'VALIDATION_ERROR'],
    [{ slot: 'one' }, 'VALIDATION_ERROR'],
    [{ slot: 1.5 }, 'VALIDATION_ERROR'],
  ])('refuses %j with %s', async (body, code) => {
    for (const route of ['/api/connect', '/api/disconnect']) {
      const res = await t.http.post(route).set('apikey', t.token).send(body).expect(400);
      expect(res.body).toEqual({ success: false, error: { code, message: expect.any(String) } });
    }
  });

  it('names the field in validation messages', async () => {
    const res = await t.http.post('/api/connect').set('apikey', t.token).send({}).expect(400);
    expect(res.body.error.message).toContain('slot');
  });

  it('QR route: bad slot 400, stopped slot 404', async () => {
    expect((await t.http.get('/api/slots/9/qr').set('apikey', t.token).expect(400)).body.error.code).toBe('INVALID_SLOT');
    expect((await t.http.get('/api/slots/x/qr').set('apikey', t.token).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    expect((await t.http.get('/api/slots/2/qr').set('apikey', t.token).expect(404)).body.error.code).toBe('NOT_FOUND');
  });
});

describe('an unscanned QR', () => {
  it('stops the slot after the configured refreshes; its QR then answers 410 QR_EXPIRED until a new connect', async () => {
    const { createDemoEngineFactory } = await import('../../bridge/engine/demo/index.js');
    const t = await startBridge({ slots: 1, qrMaxRefreshes: 2 }, { engineFactory: createDemoEngineFactory({ scanMs: 600_000, qrRefreshMs: 100 }) });
    try {
      await t.http.post('/api/connect').set('apikey', t.token).send({ slot: 1 }).expect(200);
      await waitFor(async () => (await t.http.get('/api/slots').set('apikey', t.token)).body[0].state === 'FAILED', 5000, 'slot FAILED');
      const res = await t.http.get('/api/slots/1/qr').set('apikey', t.token).expect(410);
      expect(res.body.error.code).toBe('QR_EXPIRED');
      const health = await t.http.get('/api/health').set('apikey', t.token);
      expect(health.body.slots[0].lastError).toMatch(/QR not scanned/);
      // A new connect starts a new QR budget: a new QR arrives (an event: the QR lives only 200 ms here).
      const ws = await WsClient.open(t.bridge.url, t.token);
      await t.http.post('/api/connect').set('apikey', t.token).send({ slot: 1 }).expect(200);
      await ws.waitFrame((f) => f.type === 'qr' && f.slot === 1);
      ws.close();
    } finally {
      await t.stop();
    }
  });
});
