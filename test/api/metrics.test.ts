// The metrics seed 001 lists, each shown to move: connection status per slot, messages sent and
// failed (success rate), rate-limit refusals by limit, errors by code, session duration, QR codes
// shown and scanned, outbox size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoEngineFactory } from '../../bridge/engine/demo/index.js';
import { connectSlot, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';

/** One sample's value from Prometheus text, 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const body = line.slice(name.length);
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

describe('metrics', () => {
  let t: TestBridge;
  const FAILING = '447911123456';
  const scrape = async () => (await t.http.get('/metrics').set('apikey', t.token).expect(200)).text;

  beforeAll(async () => {
    // A scan late enough that the QR is rendered and shown first, even on a busy machine.
    const demo = createDemoEngineFactory({ scanMs: 1500 });
    t = await startBridge({ slots: 2, ratePerMinute: 2 }, {
      engineFactory: (ctx) => {
        const engine = demo(ctx);
        const sendText = engine.sendText.bind(engine);
        engine.sendText = (chatId, text, opts) => (chatId.startsWith(FAILING) ? Promise.reject(new Error('browser crashed')) : sendText(chatId, text, opts));
        return engine;
      },
    });
  });
  afterAll(() => t.stop());

  it('connection status, QR codes shown and scanned, session duration', async () => {
    const before = await scrape();
    expect(sample(before, 'wa_slot_state', { slot: '1', state: 'STOPPED' })).toBe(1);
    expect(sample(before, 'wa_slot_state', { slot: '1', state: 'READY' })).toBe(0);
    expect(sample(before, 'wa_session_duration_seconds', { slot: '1' })).toBe(0);
    expect(sample(before, 'wa_qr_codes_total', { slot: '1' })).toBe(0);

    await connectSlot(t, 1);
    const after = await waitFor(async () => {
      const text = await scrape();
      return sample(text, 'wa_session_duration_seconds', { slot: '1' }) > 0 ? text : null;
    }, 5000, 'a session duration');
    expect(sample(after, 'wa_slot_state', { slot: '1', state: 'READY' })).toBe(1);
    expect(sample(after, 'wa_slot_state', { slot: '1', state: 'STOPPED' })).toBe(0);
    expect(sample(after, 'wa_qr_codes_total', { slot: '1' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'wa_qr_scans_total', { slot: '1' })).toBe(1);
  });

  it('messages sent and failed, rate-limit refusals by limit, errors by code', async () => {
    const post = (body: object) => t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, ...body });
    await post({ phone: '962781523783', message: 'one' }).expect(200);
    await post({ phone: '962781523783', message: 'two' }).expect(200);
    await post({ phone: '962781523783', message: 'three' }).expect(429);
    await post({ phone: FAILING, message: 'x' }).expect(502);
    await post({ phone: '12', message: 'x' }).expect(400);
    await fetch(`${t.bridge.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', apikey: t.token }, body: JSON.stringify({ query: '{ nope }' }) });

    const text = await scrape();
    expect(sample(text, 'wa_messages_sent_total', { slot: '1' })).toBe(2);
    expect(sample(text, 'wa_messages_failed_total', { slot: '1' })).toBe(1);
    expect(sample(text, 'wa_rate_limited_total', { slot: '1', limit: 'per_minute' })).toBe(1);
    expect(sample(text, 'wa_rate_limited_total', { slot: '1', limit: 'per_hour' })).toBe(0);
    expect(sample(text, 'wa_errors_total', { code: 'RATE_LIMITED', transport: 'rest' })).toBe(1);
    expect(sample(text, 'wa_errors_total', { code: 'SEND_FAILED', transport: 'rest' })).toBe(1);
    expect(sample(text, 'wa_errors_total', { code: 'INVALID_NUMBER', transport: 'rest' })).toBe(1);
    expect(sample(text, 'wa_errors_total', { code: 'VALIDATION_ERROR', transport: 'graphql' })).toBe(1);
  });

  it('outbox size', async () => {
    expect(sample(await scrape(), 'wa_outbox_size')).toBe(0);
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 2, phone: '962781523783', message: 'later', queue: true }).expect(202);
    expect(sample(await scrape(), 'wa_outbox_size')).toBe(1);
  });
});
