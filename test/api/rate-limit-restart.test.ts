// Send limits survive a restart of the bridge: the 11th message to one number within a minute is
// refused, the bridge restarts, and the next attempt is still refused, its Retry-After counting
// down from the original window.
import { afterAll, describe, expect, it } from 'vitest';
import { startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';

describe('rate limits across a restart', () => {
  const dataDir = tempDir();
  let t: TestBridge | null = null;
  afterAll(() => t?.stop());

  const send = (b: TestBridge, message: string) =>
    b.http.post('/api/send').set('apikey', b.token).send({ slot: 1, phone: '962781523783', message });

  async function readyBridge(): Promise<TestBridge> {
    const b = await startBridge({ dataDir, slots: 1 });
    await b.http.post('/api/connect').set('apikey', b.token).send({ slot: 1 }).expect(200);
    await waitFor(async () => (await b.http.get('/api/slots').set('apikey', b.token)).body[0].ready, 10_000, 'slot 1 ready');
    return b;
  }

  it('refuses the 11th message, and still after a restart, with a shrinking Retry-After', async () => {
    t = await readyBridge();
    const windowStart = Date.now();
    for (let i = 1; i <= 10; i++) await send(t, `m${i}`).expect(200);
    const refused = await send(t, 'm11').expect(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    const before = Number(refused.headers['retry-after']);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThanOrEqual(60);
    // Another number is not affected.
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '447700900123', message: 'other' }).expect(200);

    await t.stop();
    t = await readyBridge();

    const still = await send(t, 'm12').expect(429);
    expect(still.body.error.code).toBe('RATE_LIMITED');
    const after = Number(still.headers['retry-after']);
    const elapsed = Math.floor((Date.now() - windowStart) / 1000);
    // Counting down from the original minute, not a fresh one.
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(before);
    expect(after).toBeLessThanOrEqual(60 - elapsed + 1);
  }, 60_000);
});
