// Inputs that used to answer 500 (issue 18): each is a 400 in the envelope with a clear message.
import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type TestBridge } from '../helpers/bridge.js';

/** A raw request (supertest would compress or re-encode what we send). */
function raw(t: TestBridge, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.bridge.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('bad input that used to be a 500', () => {
  let t: TestBridge;
  beforeAll(async () => {
    t = await startBridge();
  });
  afterAll(() => t.stop());

  for (const encoding of ['gzip', 'deflate', 'br']) {
    it(`Content-Encoding: ${encoding} with a plain body is a 400 (with a token)`, async () => {
      const res = await raw(t, 'POST', '/api/send', { 'content-type': 'application/json', 'content-encoding': encoding, apikey: t.token }, '{"slot":1}');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.message).toMatch(/content-encoding/i);
    });

    it(`Content-Encoding: ${encoding} with a plain body and no token is a 401, not a 500`, async () => {
      const res = await raw(t, 'POST', '/api/send', { 'content-type': 'application/json', 'content-encoding': encoding }, '{"slot":1}');
      expect(res.status).toBeLessThan(500);
      expect([400, 401]).toContain(res.status);
    });
  }

  it('a body that really is gzip-compressed still parses', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: t.bridge.port, method: 'POST', path: '/api/send', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', apikey: t.token } },
        (r) => {
          let text = '';
          r.on('data', (c) => (text += c));
          r.on('end', () => resolve(JSON.parse(text).error?.message.includes('message') ? 400 : (r.statusCode ?? 0)));
        },
      );
      req.on('error', reject);
      req.end(zlib.gzipSync('{"slot":1,"phone":"15550100001"}'));
    });
    // Parsed: the validation names the missing message field rather than the encoding.
    expect(res).toBe(400);
  });

  it('a malformed % escape in a path parameter is a 400', async () => {
    for (const path of ['/api/slots/%zz/qr', '/api/slots/%/qr', '/api/slots/%E0%A4%A/qr']) {
      const res = await raw(t, 'GET', path, { apikey: t.token });
      expect(res.status, path).toBe(400);
      expect(res.body.error).toEqual({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/escape/i) });
    }
  });

  it('an offset of 2^63 or more is a 400 on archive and search', async () => {
    for (const offset of ['9223372036854775808', '18446744073709551616', '9'.repeat(40)]) {
      const a = await t.http.get('/api/archive').query({ slot: 1, chatId: 'a@c.us', offset }).set('apikey', t.token);
      expect(a.status, `archive offset ${offset}`).toBe(400);
      expect(a.body.error.message).toContain('offset');
      const s = await t.http.get('/api/archive/search').query({ slot: 1, query: 'hi', offset }).set('apikey', t.token);
      expect(s.status, `search offset ${offset}`).toBe(400);
      expect(s.body.error.message).toContain('offset');
    }
  });

  it('a large but representable offset is fine', async () => {
    await t.http.get('/api/archive').query({ slot: 1, chatId: 'a@c.us', offset: '1000000000' }).set('apikey', t.token).expect(200);
  });
});
