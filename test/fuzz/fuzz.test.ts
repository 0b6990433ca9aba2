// `npm run test:fuzz` (issue 18): random requests over every route of the OpenAPI document and
// random frames for every WebSocket command, against a demo bridge with a ready slot. Fails on
// any 5xx, any INTERNAL reply, a socket the server drops, or a bridge that stops answering.
import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectSlot, startBridge, type TestBridge } from '../helpers/bridge.js';
import { enc, object, param, Random, value } from './random.js';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 400);
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const COMMANDS = ['ping', 'register_fcm', 'get_conversations', 'get_messages', 'send_message', 'send_media', 'mark_read', 'search_conversations', 'subscribe', 'unknown_cmd'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

interface Outcome {
  status: number;
  body: string;
}

function send(t: TestBridge, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.bridge.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.slice(0, 300) }));
    });
    // An explicit length, as phones send it (a chunked DELETE body confuses Node's own keep-alive).
    if (body) req.setHeader('content-length', body.length);
    req.on('error', reject);
    req.end(body);
  });
}

describe(`fuzz (seed ${SEED}: rerun with FUZZ_SEED=${SEED})`, () => {
  let t: TestBridge;
  let deviceToken: string;
  let routes: { method: string; path: string }[];

  beforeAll(async () => {
    t = await startBridge({ ratePerMinute: 100_000, ratePerHour: 100_000, ratePerDay: 1_000_000, bodyLimitBytes: 256 * 1024 });
    await connectSlot(t, 1);
    deviceToken = (await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'fuzz phone' }).expect(201)).body.token;
    const doc = (await t.http.get('/api/openapi.json').set('apikey', t.token).expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
  });
  afterAll(() => t?.stop());

  it(`${REQUESTS} random HTTP requests: never a 5xx`, async () => {
    const r = new Random(SEED);
    const failures: string[] = [];
    let previous = '';
    for (let i = 0; i < REQUESTS; i++) {
      // Walk every route in turn, with a random one now and then.
      const route = r.chance(0.8) ? routes[i % routes.length]! : r.pick(routes);
      const method = r.chance(0.85) ? route.method : r.pick(METHODS);
      let path = route.path.replace(/\{[^}]+\}/g, () => param(r));
      if (route.path === '/api/devices/{id}' && r.chance(0.5)) path = '/api/devices/not-a-device'; // keep our device
      const query = Object.entries(object(r)).map(([k, v]) => `${enc(k)}=${r.chance(0.7) ? enc(String(v)) : param(r)}`);
      if (query.length && r.chance(0.8)) path += `?${query.join('&')}`;
      const headers: Record<string, string> = {};
      const who = r.int(10);
      if (who < 6) headers.apikey = t.token;
      else if (who < 8) headers.authorization = `Bearer ${deviceToken}`;
      else if (who < 9) headers.apikey = r.pick(['x', 'wrong-token-wrong-token', ' ']);
      let body: Buffer | undefined;
      if (method !== 'GET' && method !== 'HEAD' && r.chance(0.85)) {
        const json = JSON.stringify(r.chance(0.8) ? object(r) : value(r));
        body = Buffer.from(r.chance(0.1) ? json.slice(0, r.int(json.length)) : json);
        headers['content-type'] = r.chance(0.9) ? 'application/json' : r.pick(['text/plain', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'multipart/form-data']);
        const encoding = r.int(10);
        if (encoding === 0) {
          headers['content-encoding'] = 'gzip';
          body = zlib.gzipSync(body);
        } else if (encoding === 1) {
          headers['content-encoding'] = r.pick(['gzip', 'deflate', 'br', 'compress', 'identity']);
        }
      }
      const current = `${method} ${path.slice(0, 80)} ${JSON.stringify(headers)} ${body?.length ?? 0} B`;
      const res = await send(t, method, path, headers, body).catch((err: Error) => ({ status: 599, body: `connection failed: ${err.message}` }));
      if (res.status >= 500) failures.push(`#${i} (after ${previous}) ${current} → ${res.status} ${res.body}`);
      previous = `${current} → ${res.status}`;
    }
    expect(failures).toEqual([]);
    await t.http.get('/healthz').expect(200);
  });

  it(`${FRAMES} random WebSocket frames: never INTERNAL, the socket stays open`, async () => {
    const r = new Random(SEED + 1);
    const ws = new WebSocket(`ws://127.0.0.1:${t.bridge.port}/ws?token=${r.chance(0.5) ? t.token : deviceToken}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const replies = new Map<string, Record<string, unknown>>();
    const stray: Record<string, unknown>[] = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      if (typeof frame.requestId === 'string') replies.set(frame.requestId, frame);
      else stray.push(frame);
    });
    let closed: number | null = null;
    ws.on('close', (code) => (closed = code));
    const failures: string[] = [];
    for (let i = 0; i < FRAMES; i++) {
      const requestId = `f${i}`;
      const kind = r.int(20);
      if (kind === 0) ws.send(Buffer.from([0, 1, 2, 255]));
      else if (kind === 1) ws.send(r.pick(['not json', '[]', '"x"', 'null', '{', '1']));
      else ws.send(JSON.stringify({ ...object(r), type: r.chance(0.9) ? COMMANDS[i % COMMANDS.length] : value(r), requestId }));
      // Await this frame's reply (frames without a requestId are answered without one).
      const deadline = Date.now() + 10_000;
      while (!replies.has(requestId) && kind > 1 && Date.now() < deadline && closed === null) await new Promise((res) => setTimeout(res, 2));
      const reply = replies.get(requestId);
      if (kind > 1 && !reply) failures.push(`frame ${i}: no reply`);
      if ((reply?.error as { code?: string } | undefined)?.code === 'INTERNAL') failures.push(`frame ${i}: INTERNAL`);
      if (closed !== null) {
        failures.push(`frame ${i}: socket closed (${closed})`);
        break;
      }
    }
    for (const f of stray) if ((f.error as { code?: string } | undefined)?.code === 'INTERNAL') failures.push(`INTERNAL: ${JSON.stringify(f)}`);
    ws.close();
    expect(failures).toEqual([]);
    await t.http.get('/healthz').expect(200);
  });
});
