import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type TestBridge } from '../helpers/bridge.js';

describe('error envelope', () => {
  let t: TestBridge;
  beforeAll(async () => {
    t = await startBridge({ bodyLimitBytes: 64 * 1024 });
  });
  afterAll(() => t.stop());

  it('malformed JSON is a 400 VALIDATION_ERROR', async () => {
    const res = await t.http.post('/api/send').set('apikey', t.token).set('Content-Type', 'application/json').send('{"slot": 1,').expect(400);
    expect(res.body).toEqual({ success: false, error: { code: 'VALIDATION_ERROR', message: 'body: not valid JSON' } });
  });

  it('a JSON array or string body is a VALIDATION_ERROR, not a crash', async () => {
    for (const body of ['[1,2]', '"text"', 'null']) {
      const res = await t.http.post('/api/send').set('apikey', t.token).set('Content-Type', 'application/json').send(body).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('a body over the limit is a 413', async () => {
    const res = await t.http
      .post('/api/send-media')
      .set('apikey', t.token)
      .send({ slot: 1, phone: '15550100001', base64: 'A'.repeat(70 * 1024), mimetype: 'image/png' })
      .expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('an unknown route is a 404 in the envelope', async () => {
    const res = await t.http.get('/api/does-not-exist').set('apikey', t.token).expect(404);
    expect(res.body).toEqual({ success: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('query validation: limits and offsets', async () => {
    const q = (query: Record<string, unknown>) => t.http.get('/api/archive').query(query).set('apikey', t.token);
    expect((await q({ slot: 1, chatId: 'a@c.us', limit: 501 }).expect(400)).body.error.message).toContain('limit');
    expect((await q({ slot: 1, chatId: 'a@c.us', limit: 0 }).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    expect((await q({ slot: 1, chatId: 'a@c.us', offset: -1 }).expect(400)).body.error.message).toContain('offset');
    expect((await q({ chatId: 'a@c.us' }).expect(400)).body.error.message).toContain('slot');
    expect((await q({ slot: 1 }).expect(400)).body.error.message).toContain('chatId');
    expect((await q({ slot: 9, chatId: 'a@c.us' }).expect(400)).body.error.code).toBe('INVALID_SLOT');
  });

  it('routes that need a ready slot answer NOT_CONNECTED', async () => {
    for (const [route, query] of [
      ['/api/chats', { slot: 1 }],
      ['/api/messages', { slot: 1, chatId: '1@c.us' }],
      ['/api/avatar', { slot: 1, phone: '962781523783' }],
    ] as const) {
      const res = await t.http.get(route).query(query).set('apikey', t.token).expect(409);
      expect(res.body.error.code).toBe('NOT_CONNECTED');
    }
  });
});

describe('a bug', () => {
  it('is a 500 INTERNAL naming the request id, with no stack or detail in the body, and logged', async () => {
    const { createArchiveStore } = await import('../../bridge/archive/index.js');
    const { loadConfig } = await import('../../bridge/config.js');
    const { pino } = await import('pino');
    const dataDir = (await import('../helpers/bridge.js')).tempDir();
    const archive = createArchiveStore(loadConfig({}, { dataDir }), pino({ level: 'silent' }));
    archive.listMessages = async () => {
      throw new Error('disk on fire at /secret/path');
    };
    const t = await startBridge({ dataDir }, { archive });
    try {
      const res = await t.http.get('/api/archive').query({ slot: 1, chatId: '1555@c.us' }).set('apikey', t.token).expect(500);
      const requestId = res.headers['x-request-id'];
      expect(res.body).toEqual({ success: false, error: { code: 'INTERNAL', message: `internal error (request ${requestId})` } });
      const logs = await t.http.get('/api/logs').set('apikey', t.token);
      expect(logs.body.data.some((l: { level: string; msg: string }) => l.level === 'error' && l.msg === 'request failed')).toBe(true);
    } finally {
      await t.stop();
    }
  });
});
