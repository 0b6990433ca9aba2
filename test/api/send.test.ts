import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSlot, startBridge, waitFor, WsClient, type TestBridge } from '../helpers/bridge.js';

// A 1x1 PNG and the first bytes of a PDF.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF').toString('base64');
const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60, 1)]).toString('base64');

describe('sending', () => {
  let t: TestBridge;
  const post = (route: string, body: unknown) => t.http.post(route).set('apikey', t.token).send(body as object);

  beforeAll(async () => {
    t = await startBridge({ slots: 2, ratePerMinute: 3, ratePerHour: 100 });
    await connectSlot(t, 1);
  });
  afterAll(() => t.stop());

  it('sends a text with the seed reply and a serialized id', async () => {
    const res = await post('/api/send', { slot: 1, phone: '962781523783', message: 'Hello' }).expect(200);
    expect(res.body).toEqual({ success: true, messageId: expect.stringMatching(/^true_962781523783@c\.us_[0-9A-F]+$/) });
  });

  it('normalises +, spaces and dashes, and accepts a chatId', async () => {
    const a = await post('/api/send', { slot: 1, phone: '+44 7700-900-123', message: 'x' }).expect(200);
    expect(a.body.messageId).toMatch(/^true_447700900123@c\.us_/);
    const b = await post('/api/send', { slot: 1, chatId: '120363025246125486@g.us', message: 'group hello' }).expect(200);
    expect(b.body.messageId).toMatch(/^true_120363025246125486@g\.us_/);
  });

  it.each([
    [{ slot: 1, phone: '12', message: 'x' }, 400, 'INVALID_NUMBER'],
    [{ slot: 1, phone: '9991234567', message: 'x' }, 400, 'INVALID_NUMBER'], // no such country code
    [{ slot: 1, phone: 'abc', message: 'x' }, 400, 'INVALID_NUMBER'],
    [{ slot: 1, phone: '15550190000', message: 'x' }, 400, 'INVALID_NUMBER'], // valid, not on WhatsApp
    [{ slot: 1, message: 'x' }, 400, 'VALIDATION_ERROR'],
    [{ slot: 1, phone: '962781523783', chatId: '962781523783@c.us', message: 'x' }, 400, 'VALIDATION_ERROR'],
    [{ slot: 1, chatId: 'nonsense', message: 'x' }, 400, 'VALIDATION_ERROR'],
    [{ slot: 1, phone: '962781523783' }, 400, 'VALIDATION_ERROR'],
    [{ slot: 1, phone: '962781523783', message: '' }, 400, 'VALIDATION_ERROR'],
    [{ slot: 1, phone: '962781523783', message: 42 }, 400, 'VALIDATION_ERROR'],
    [{ slot: 1, phone: '962781523783', message: 'x'.repeat(4097) }, 400, 'VALIDATION_ERROR'],
    [{ slot: 7, phone: '962781523783', message: 'x' }, 400, 'INVALID_SLOT'],
    [{ slot: 2, phone: '962781523783', message: 'x' }, 409, 'NOT_CONNECTED'],
  ])('refuses bad input #%#', async (body, status, code) => {
    const res = await post('/api/send', body).expect(status);
    expect(res.body).toEqual({ success: false, error: { code, message: expect.any(String) } });
  });

  it('accepts exactly 4096 characters', async () => {
    await post('/api/send', { slot: 1, phone: '15550100001', message: 'y'.repeat(4096) }).expect(200);
  });

  it('sends media: image, document, voice note; refuses bad base64 and a lying mimetype', async () => {
    const img = await post('/api/send-media', { slot: 1, phone: '15550100002', base64: PNG, mimetype: 'image/png', caption: 'pic' }).expect(200);
    expect(img.body).toEqual({ success: true, messageId: expect.stringMatching(/^true_15550100002@c\.us_/) });
    await post('/api/send-media', { slot: 1, phone: '15550100002', base64: PDF, mimetype: 'application/pdf', filename: 'a.pdf' }).expect(200);
    await post('/api/send-media', { slot: 1, phone: '15550100003', base64: OGG, mimetype: 'audio/ogg; codecs=opus' }).expect(200);
    const bad = await post('/api/send-media', { slot: 1, phone: '15550100003', base64: '@@not base64@@', mimetype: 'image/png' }).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('base64') });
    const lie = await post('/api/send-media', { slot: 1, phone: '15550100003', base64: PDF, mimetype: 'image/png' }).expect(400);
    expect(lie.body.error.message).toContain('application/pdf');
    const voice = await post('/api/send-media', { slot: 1, phone: '15550100003', base64: PNG, mimetype: 'image/png', asVoice: true }).expect(400);
    expect(voice.body.error.message).toContain('asVoice');
  });

  it('sends polls with 2–12 distinct options', async () => {
    const ok = await post('/api/send-poll', { slot: 1, phone: '15550100004', question: 'Stack?', options: ['Node.js', 'Python', 'Golang'], allowMultiple: false }).expect(200);
    expect(ok.body).toEqual({ success: true, messageId: expect.any(String) });
    for (const options of [['one'], ['a', 'a'], Array.from({ length: 13 }, (_, i) => `o${i}`), ['a', ' '], 'a,b']) {
      const res = await post('/api/send-poll', { slot: 1, phone: '15550100004', question: 'Q', options }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.message).toContain('options');
    }
  });

  it('idempotencyKey: a retry returns the first result and sends nothing again', async () => {
    const ws = await WsClient.open(t.bridge.url, t.token);
    const body = { slot: 1, phone: '15550100005', message: 'once', idempotencyKey: 'order-42' };
    const [a, b] = await Promise.all([post('/api/send', body), post('/api/send', body)]);
    const c = await post('/api/send', body).expect(200);
    expect(a.body.messageId).toBeDefined();
    expect(b.body.messageId).toBe(a.body.messageId);
    expect(c.body.messageId).toBe(a.body.messageId);
    // Every send broadcasts its new_message before it answers; the pong, on the same socket, comes after them.
    await ws.command('ping');
    const sent = ws.frames.filter((f) => f.type === 'new_message' && (f.message as { body: string; fromMe: number }).body === 'once');
    expect(sent).toHaveLength(1);
    ws.close();
  });

  it('rate limits per recipient with Retry-After, and the refused send is not sent', async () => {
    const body = { slot: 1, phone: '15550100006', message: 'spam' };
    for (let i = 0; i < 3; i++) await post('/api/send', body).expect(200);
    const res = await post('/api/send', body).expect(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Another recipient is not affected.
    await post('/api/send', { ...body, phone: '15550100007' }).expect(200);
    const metrics = await t.http.get('/metrics').set('apikey', t.token).expect(200);
    expect(metrics.text).toMatch(/^wa_rate_limited_total\{slot="1",limit="per_minute"\} 1$/m);
  });

  it('queue: true stores the message while the slot is down and sends it once ready', async () => {
    const ws = await WsClient.open(t.bridge.url, t.token);
    const res = await post('/api/send', { slot: 2, phone: '15550100008', message: 'queued hello', queue: true }).expect(202);
    expect(res.body).toEqual({ success: true, queued: true, outboxId: expect.any(String) });
    const health = await t.http.get('/api/health').set('apikey', t.token);
    expect(health.body.outbox).toBe(1);
    await connectSlot(t, 2);
    const sent = await ws.waitFrame((f) => f.type === 'outbox_sent' && f.outboxId === res.body.outboxId);
    expect(sent).toMatchObject({ slot: 2, messageId: expect.stringMatching(/^true_15550100008@c\.us_/) });
    ws.close();
  });

  it('a queued message to a number not on WhatsApp ends as outbox_failed', async () => {
    await post('/api/disconnect', { slot: 2 }).expect(200);
    const ws = await WsClient.open(t.bridge.url, t.token);
    const res = await post('/api/send', { slot: 2, phone: '15550190000', message: 'nobody', queue: true }).expect(202);
    await connectSlot(t, 2);
    const failed = await ws.waitFrame((f) => f.type === 'outbox_failed' && f.outboxId === res.body.outboxId);
    expect(String(failed.error)).toContain('not on WhatsApp');
    ws.close();
  });

  it('test-connection sends a short test message', async () => {
    const res = await post('/api/test-connection', { slot: 1, phone: '15550100009' }).expect(200);
    expect(res.body.messageId).toMatch(/^true_15550100009@c\.us_/);
  });

  it('archives sent messages with their acks advancing', async () => {
    const res = await post('/api/send', { slot: 1, phone: '15550100010', message: 'archive me' }).expect(200);
    const id = res.body.messageId as string;
    await waitFor(async () => {
      const a = await t.http.get('/api/archive').query({ slot: 1, chatId: '15550100010@c.us' }).set('apikey', t.token);
      return a.body.data?.find((m: { id: string; ack: number }) => m.id === id && m.ack === 4);
    }, 10_000, 'ack 4 in the archive');
  });
});

describe('a send WhatsApp refuses', () => {
  it('is a 502 SEND_FAILED with the reason, and counted as failed', async () => {
    const { createDemoEngineFactory } = await import('../../bridge/engine/demo/index.js');
    const demo = createDemoEngineFactory({ scanMs: 50 });
    const t = await startBridge({ slots: 1 }, {
      engineFactory: (ctx) => {
        const engine = demo(ctx);
        engine.sendText = async () => {
          throw new Error('Evaluation failed: page detached');
        };
        return engine;
      },
    });
    try {
      await connectSlot(t, 1);
      const res = await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '15550100020', message: 'x' }).expect(502);
      expect(res.body.error).toEqual({ code: 'SEND_FAILED', message: expect.stringContaining('page detached') });
      const metrics = await t.http.get('/metrics').set('apikey', t.token);
      expect(metrics.text).toContain('wa_messages_failed_total{slot="1"} 1');
    } finally {
      await t.stop();
    }
  });
});
