// `npm run bench -- http`: POST /api/send on the demo engine next to a bare express handler (both
// warmed by the same requests first; then flat out with 10 connections, then at a steady 500 req/s
// timed to the microsecond), and broadcast latency from an engine event to 50 WebSocket clients at
// 1000 events/s, with how many of the expected deliveries arrived. BENCH_SECONDS shortens a run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import express from 'express';
import { Worker } from 'node:worker_threads';
import { createBridge } from '../bridge/bridge.js';
import { loadConfig } from '../bridge/config.js';
import { createDemoEngineFactory } from '../bridge/engine/demo/index.js';
import type { EngineContext } from '../bridge/engine/types.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const WS_CLIENTS = 50;
const EVENTS_PER_SECOND = 1000;
const EVENT_SECONDS = 5;

const body = JSON.stringify({ slot: 1, phone: '962781523783', message: 'Hello from the benchmark' });
/** The same send as seed 001's GraphQL client writes it. */
const graphqlBody = JSON.stringify({
  query: 'mutation SendWhatsAppNotification($phoneNumber: String!, $message: String!) { sendWhatsAppNotification(phoneNumber: $phoneNumber, message: $message) }',
  variables: { phoneNumber: '962781523783', message: 'Hello from the benchmark' },
});

/** A steady rate well below saturation, where latency is the server's own and not queueing. */
const STEADY_RATE = 500;

/** Requests every subject gets before it is measured (JIT, sockets, caches alike for both). */
const WARM_UP_REQUESTS = Number(process.env.BENCH_WARM_UP ?? 2000);

async function load(url: string, headers: Record<string, string>, payload = body) {
  // The load generator runs in its own thread so it does not share the server's event loop.
  const options = { url, method: 'POST' as const, body: payload, headers: { 'content-type': 'application/json', ...headers }, duration: DURATION_S, workers: 1 };
  const { duration: _measured, ...once } = options;
  const warm = await autocannon({ ...once, amount: WARM_UP_REQUESTS, connections: CONNECTIONS });
  if (warm.non2xx || warm.errors) throw new Error(`${url}: warm-up answered ${warm.non2xx} non-2xx, ${warm.errors} errors`);
  const flat = await autocannon({ ...options, connections: CONNECTIONS });
  const steady = await paced(url, headers, payload);
  return {
    reqPerSec: Math.round(flat.requests.average),
    p99Ms: flat.latency.p99,
    steadyRate: STEADY_RATE,
    steadyP50Ms: round(percentile(steady.latencies, 50)),
    steadyP99Ms: round(percentile(steady.latencies, 99)),
    errors: flat.errors + flat.non2xx + steady.errors,
  };
}

/** autocannon reports whole milliseconds; this paced client times each request to the microsecond. */
const PACED_WORKER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { url, headers, body, rate, seconds } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const latencies = [];
let errors = 0, inFlight = 0, sent = 0;
const total = rate * seconds;
const started = performance.now();
function one() {
  const t0 = performance.now();
  inFlight++;
  const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
    res.resume();
    res.on('end', () => {
      if (res.statusCode !== 200) errors++;
      latencies.push(performance.now() - t0);
      inFlight--;
    });
  });
  req.on('error', () => { errors++; inFlight--; });
  req.end(body);
}
const timer = setInterval(() => {
  const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
  while (sent < due) { sent++; one(); }
  if (sent >= total && inFlight === 0) {
    clearInterval(timer);
    agent.destroy();
    parentPort.postMessage({ latencies: latencies.sort((a, b) => a - b), errors });
  }
}, 1);
`;

async function paced(url: string, headers: Record<string, string>, payload: string): Promise<{ latencies: number[]; errors: number }> {
  const worker = new Worker(PACED_WORKER, {
    eval: true,
    workerData: { url, headers: { 'content-type': 'application/json', ...headers }, body: payload, rate: STEADY_RATE, seconds: DURATION_S },
  });
  const result = await new Promise<{ latencies: number[]; errors: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  return result;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

async function bareExpress() {
  const app = express();
  app.use(express.json());
  app.post('/api/send', (req, res) => void res.json({ success: true, messageId: `true_${req.body.phone}@c.us_3EB0` }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  const figures = await load(`http://127.0.0.1:${port}/api/send`, {});
  server.close();
  return figures;
}

/** The 50 phones: connect, timestamp every bench frame on arrival, report when asked. */
const CLIENTS_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebSocket } = require('ws');
const latencies = [];
let open = 0;
for (let i = 0; i < workerData.count; i++) {
  const ws = new WebSocket(workerData.url);
  ws.on('open', () => { if (++open === workerData.count) parentPort.postMessage('ready'); });
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type === 'new_message' && frame.message.body.startsWith('bench:')) {
      latencies.push(performance.timeOrigin + performance.now() - Number(frame.message.body.slice(6)));
    }
  });
}
parentPort.on('message', () => parentPort.postMessage(latencies));
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-bench-http-'));
  const contexts: EngineContext[] = [];
  const demo = createDemoEngineFactory({ scanMs: 0, replyMs: 60_000 });
  const config = loadConfig({}, { port: 0, host: '127.0.0.1', dataDir, engine: 'demo', demoScanMs: 0, ratePerMinute: 1e9, ratePerHour: 1e9, ratePerDay: 1e9, logLevel: 'warn' });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const bridge = createBridge(config, {
    logDestination: sink,
    engineFactory: (ctx) => {
      contexts.push(ctx);
      return demo(ctx);
    },
  });
  await bridge.start();
  const api = (route: string, payload: unknown) =>
    fetch(`${bridge.url}${route}`, { method: 'POST', headers: { apikey: bridge.adminToken, 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  await api('/api/connect', { slot: 1 });
  for (let i = 0; i < 100; i++) {
    const slots = (await (await fetch(`${bridge.url}/api/slots`, { headers: { apikey: bridge.adminToken } })).json()) as { ready: boolean }[];
    if (slots[0]!.ready) break;
    await new Promise((r) => setTimeout(r, 50));
  }

  const bare = await bareExpress();
  const send = await load(`${bridge.url}/api/send`, { apikey: bridge.adminToken });
  console.log(JSON.stringify({ bench: 'http', bareExpress: bare, bridgeSend: send, ratio: Math.round((send.reqPerSec / bare.reqPerSec) * 100) / 100 }));
  // GraphQL errors come back with status 200: check the replies once, then measure.
  const probe = await fetch(`${bridge.url}/graphql`, { method: 'POST', headers: { apikey: bridge.adminToken, 'content-type': 'application/json' }, body: graphqlBody });
  const probeBody = (await probe.json()) as { data?: { sendWhatsAppNotification?: boolean } };
  if (probeBody.data?.sendWhatsAppNotification !== true) throw new Error(`GraphQL send failed: ${JSON.stringify(probeBody)}`);
  const graphql = await load(`${bridge.url}/graphql`, { apikey: bridge.adminToken }, graphqlBody);
  console.log(JSON.stringify({ bench: 'graphql', graphqlSend: graphql, restSend: send.reqPerSec, ratioToRest: Math.round((graphql.reqPerSec / send.reqPerSec) * 100) / 100 }));

  // Broadcast latency: engine event → 50 sockets. The sockets live in a worker thread, as phones
  // would be elsewhere, so their parsing does not compete with the bridge's event loop.
  const wsUrl = `${bridge.url.replace('http', 'ws')}/ws?token=${bridge.adminToken}`;
  const clients = new Worker(CLIENTS_WORKER, { eval: true, workerData: { url: wsUrl, count: WS_CLIENTS } });
  await new Promise((resolve) => clients.once('message', resolve)); // all connected
  const ctx = contexts.at(-1)!;
  const total = EVENTS_PER_SECOND * EVENT_SECONDS;
  let sent = 0;
  const started = Date.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * EVENTS_PER_SECOND));
      for (; sent < due; sent++) {
        ctx.emit({
          type: 'message',
          message: { id: `false_1555@c.us_B${sent}`, chatId: '15550000001@c.us', body: `bench:${performance.timeOrigin + performance.now()}`, fromMe: 0, timestamp: Math.floor(Date.now() / 1000), type: 'chat', hasMedia: 0, senderName: 'Bench', ack: 1 },
        });
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  await new Promise((r) => setTimeout(r, 1000));
  clients.postMessage('report');
  const latencies = ((await new Promise((resolve) => clients.once('message', resolve))) as number[]).sort((a, b) => a - b);
  await clients.terminate();
  const expected = total * WS_CLIENTS;
  console.log(JSON.stringify({
    bench: 'broadcast', clients: WS_CLIENTS, eventsPerSecond: EVENTS_PER_SECOND, events: total,
    deliveries: latencies.length, expectedDeliveries: expected, lost: expected - latencies.length,
    p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)),
  }));
  await bridge.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

await main();
