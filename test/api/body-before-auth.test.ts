// Auth comes before the body (issue 18): an unauthenticated request is refused without its body
// being read, and only a few large bodies are read at once.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';

const MiB = 1024 * 1024;

interface Pending {
  req: http.ClientRequest;
  response: Promise<{ status: number; body: string }>;
}

/** Start a POST that declares `length` bytes; the caller writes the body (or not). */
function startPost(t: TestBridge, length: number, headers: Record<string, string> = {}): Pending {
  const req = http.request({
    host: '127.0.0.1',
    port: t.bridge.port,
    method: 'POST',
    path: '/api/send-media',
    headers: { 'content-type': 'application/json', 'content-length': String(length), ...headers },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return { req, response };
}

/** A JSON body of exactly `length` bytes. */
function bodyOf(length: number): Buffer {
  const head = '{"slot":1,"phone":"15550100001","mimetype":"image/png","base64":"';
  const tail = '"}';
  return Buffer.from(head + 'A'.repeat(length - head.length - tail.length) + tail);
}

async function waitingBodies(t: TestBridge): Promise<number> {
  const res = await t.http.get('/metrics').set('apikey', t.token);
  const line = res.text.split('\n').find((l) => l.startsWith('wa_http_bodies_waiting '));
  return Number(line?.split(' ')[1] ?? NaN);
}

describe('auth before body', () => {
  let t: TestBridge;
  beforeAll(async () => {
    t = await startBridge({ largeBodies: 1 });
  });
  afterAll(() => t.stop());

  it('a request without a token gets 401 before its body is sent', async () => {
    const p = startPost(t, 16 * MiB);
    // No body byte has been written: only a server that does not wait for it can answer.
    const res = await p.response;
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('UNAUTHORIZED');
    p.response.catch(() => undefined);
    p.req.destroy();
  });

  it('a bad token with a gzip header and a plain body is a 401 too', async () => {
    const p = startPost(t, 10, { 'content-encoding': 'gzip', apikey: 'nope-nope-nope-nope' });
    p.req.end('{"slot":1}');
    expect((await p.response).status).toBe(401);
  });

  it('large bodies beyond the cap wait their turn', async () => {
    const size = 2 * MiB;
    const first = startPost(t, size, { apikey: t.token });
    const body = bodyOf(size);
    first.req.write(body.subarray(0, 1024)); // holds the only large-body place
    const second = startPost(t, size, { apikey: t.token });
    second.req.end(body);
    await waitFor(async () => (await waitingBodies(t)) === 1, 10_000, 'second body queued');
    let firstDone = false;
    void first.response.then(() => (firstDone = true));
    first.req.end(body.subarray(1024));
    const [a, b] = await Promise.all([first.response, second.response]);
    expect(firstDone).toBe(true);
    // Both were read and validated (the demo slot is not connected): no 5xx, no 429.
    expect(a.status).toBeLessThan(500);
    expect(b.status).toBeLessThan(500);
    expect(b.status).not.toBe(429);
    expect(await waitingBodies(t)).toBe(0);
  });

  it('small bodies are never held back', async () => {
    const blocker = startPost(t, 2 * MiB, { apikey: t.token });
    blocker.response.catch(() => undefined); // destroyed below
    blocker.req.write('{');
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '15550100001', message: 'hi' }).expect((r) => expect(r.status).toBeLessThan(500));
    blocker.req.destroy();
  });
});
