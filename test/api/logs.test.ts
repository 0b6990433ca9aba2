// Issue 16, "logs that explain": request lines (method, path, status, duration; no bodies, no
// tokens), slot lifecycle, phone pairing and revocation, with filters and a live-tail cursor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSlot, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';

type Line = { id: number; level: string; msg: string; kind: string; slot: number | null; detail: Record<string, unknown> };

describe('GET /api/logs', () => {
  let t: TestBridge;
  const logs = async (query: string): Promise<Line[]> => (await t.http.get(`/api/logs?${query}`).set('apikey', t.token).expect(200)).body.data;

  beforeAll(async () => {
    // Long enough for the QR to be drawn before the demo phone scans it.
    t = await startBridge({ slots: 2, demoScanMs: 2000 });
    await connectSlot(t, 1);
  });
  afterAll(() => t.stop());

  it('tells a slot’s lifecycle in order, filtered by slot', async () => {
    const lines = await waitFor(async () => {
      const l = (await logs('kind=lifecycle&slot=1')).reverse();
      return l.at(-1)?.msg === 'slot ready' ? l : null;
    });
    expect(lines.map((l) => l.msg)).toEqual(['slot connecting', 'QR shown, waiting for a scan', 'QR scanned, signing in', 'slot ready']);
    expect(lines.every((l) => l.slot === 1 && l.kind === 'lifecycle')).toBe(true);
    expect(lines.at(-1)!.detail).toMatchObject({ state: 'READY', phone: expect.stringMatching(/^\d+$/) });
    expect(await logs('kind=lifecycle&slot=2')).toEqual([]);
  });

  it('logs requests with method, path, status and duration, without bodies or tokens', async () => {
    const secret = 'do-not-log-this-body';
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '15550400001', message: secret }).expect(200);
    await t.http.get('/api/slots/9/qr').set('apikey', t.token).expect(400);
    const lines = await logs('kind=request&limit=50');
    const send = lines.find((l) => l.detail.path === '/api/send')!;
    expect(send.detail).toMatchObject({ method: 'POST', status: 200, ms: expect.any(Number) });
    expect(lines.find((l) => l.detail.path === '/api/slots/9/qr')!.detail.status).toBe(400);
    const all = JSON.stringify(await logs('limit=1000'));
    expect(all).not.toContain(secret);
    expect(all).not.toContain(t.token);
  });

  it('logs pairing and revocation of a phone, never its token', async () => {
    const made = await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'Till phone', role: 'read' }).expect(201);
    await t.http.delete(`/api/devices/${made.body.deviceId}`).set('apikey', t.token).expect(200);
    const lines = (await logs('kind=pairing')).reverse();
    expect(lines.map((l) => [l.msg, l.detail.deviceId])).toEqual([
      ['phone paired', made.body.deviceId],
      ['phone revoked', made.body.deviceId],
    ]);
    expect(lines[0]!.detail).toMatchObject({ device: 'Till phone', role: 'read' });
    expect(JSON.stringify(await logs('limit=1000'))).not.toContain(made.body.token);
  });

  it('filters by level and tails after a cursor', async () => {
    const newest = (await logs('limit=1'))[0]!;
    expect(await logs(`after=${newest.id}&kind=pairing`)).toEqual([]);
    await t.http.get('/api/health').set('apikey', t.token).expect(200);
    const tail = await logs(`after=${newest.id}&kind=request`);
    expect(tail.map((l) => l.detail.path)).toContain('/api/health');
    expect(tail.every((l) => l.id > newest.id)).toBe(true);
    for (const l of await logs('level=warn&limit=1000')) expect(['warn', 'error', 'fatal']).toContain(l.level);
  });

  it('refuses bad filters with 400', async () => {
    for (const q of ['level=loud', 'kind=gossip', 'slot=zero', 'after=-1', 'limit=0']) {
      const res = await t.http.get(`/api/logs?${q}`).set('apikey', t.token);
      expect(res.status, q).toBe(400);
      expect(res.body.success).toBe(false);
    }
  });
});
