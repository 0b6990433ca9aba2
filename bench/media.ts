// `npm run bench -- media`: 20 clients stream a stored video through the media route with Range
// requests (1 MiB pieces, as players seek), for a 5 MB and a 50 MB file: throughput, and the
// bridge's memory while they do (it must not grow with the file size: the route streams from
// disk). Also: time from a WebSocket connect to its hello frame. The clients run in a child
// process, so their own buffers are not counted as the bridge's memory.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { WebSocket } from 'ws';
import { createBridge } from '../bridge/bridge.js';
import { loadConfig } from '../bridge/config.js';
import { createDemoEngineFactory, type DemoEngine } from '../bridge/engine/demo/index.js';
import type { EngineFactory } from '../bridge/engine/types.js';
import type { BridgeEvent } from '../bridge/types.js';

const CLIENTS = 20;
const PIECE = 1024 * 1024;
const HELLO_SAMPLES = 200;

const CLIENT_SCRIPT = `
const http = require('node:http');
const [url, token, size, clients, piece] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(clients) });
let bytes = 0, errors = 0;
function get(start) {
  return new Promise((resolve) => {
    const end = Math.min(start + Number(piece), Number(size)) - 1;
    http.get(url, { agent, headers: { apikey: token, range: 'bytes=' + start + '-' + end } }, (res) => {
      if (res.statusCode !== 206) errors++;
      res.on('data', (c) => { bytes += c.length; });
      res.on('end', resolve);
    }).on('error', () => { errors++; resolve(); });
  });
}
async function client() { for (let at = 0; at < Number(size); at += Number(piece)) await get(at); }
const started = process.hrtime.bigint();
Promise.all(Array.from({ length: Number(clients) }, client)).then(() => {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ bytes, errors, seconds }));
});
`;

function mp4(bytes: number): Buffer {
  const ftyp = Buffer.alloc(32);
  ftyp.writeUInt32BE(32, 0);
  ftyp.write('ftypisom', 4);
  ftyp.write('isomiso2avc1mp41', 16);
  return Buffer.concat([ftyp, crypto.randomBytes(bytes - 32)]);
}

function streamWith(url: string, token: string, size: number): Promise<{ bytes: number; errors: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT_SCRIPT, url, token, String(size), String(CLIENTS), String(PIECE)]);
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`clients exited ${code}`))));
  });
}

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
const percentile = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]!;

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-media-'));
  const engines = new Map<number, DemoEngine>();
  const demo = createDemoEngineFactory({ scanMs: 50 });
  const factory: EngineFactory = (ctx) => {
    const e = demo(ctx) as DemoEngine;
    engines.set(ctx.slot, e);
    return e;
  };
  const config = loadConfig({}, { port: 0, host: '127.0.0.1', engine: 'demo', slots: 1, dataDir, logLevel: 'warn' });
  const bridge = createBridge(config, { engineFactory: factory, logDestination: new Writable({ write: (_c, _e, done) => done() }) });
  await bridge.start();
  const events: BridgeEvent[] = [];
  bridge.onEvent((e) => events.push(e));
  await fetch(`${bridge.url}/api/connect`, { method: 'POST', headers: { apikey: bridge.adminToken, 'content-type': 'application/json' }, body: '{"slot":1}' });
  while (!engines.get(1) || !(await engines.get(1)!.getState().then((s) => s === 'CONNECTED'))) await new Promise((r) => setTimeout(r, 20));

  const results: Record<string, unknown>[] = [];
  for (const size of [5 * 1024 * 1024, 50 * 1024 * 1024]) {
    const message = engines.get(1)!.receiveMedia('962781523783@c.us', { data: mp4(size), mimetype: 'video/mp4' });
    while (!events.some((e) => e.type === 'message_media' && e.messageId === message.id)) await new Promise((r) => setTimeout(r, 20));
    const url = `${bridge.url}/api/slots/1/messages/${encodeURIComponent(message.id)}/media`;
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const run = await streamWith(url, bridge.adminToken, size);
    clearInterval(sampler);
    results.push({
      file: `${mb(size)} MiB`,
      clients: CLIENTS,
      servedMiB: mb(run.bytes),
      throughputMiBps: Math.round(mb(run.bytes) / run.seconds),
      errors: run.errors,
      bridgeRssBeforeMiB: mb(before),
      bridgeRssPeakMiB: mb(peak),
      bridgeRssGrowthMiB: mb(peak - before),
    });
  }

  const hello: number[] = [];
  for (let i = 0; i < HELLO_SAMPLES; i++) {
    const started = performance.now();
    const ws = new WebSocket(`${bridge.url.replace('http', 'ws')}/ws?token=${bridge.adminToken}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    hello.push(performance.now() - started);
    ws.close();
  }

  console.table(results);
  console.log(`hello frame after connect (${HELLO_SAMPLES} connects): p50 ${percentile(hello, 50).toFixed(2)} ms, p99 ${percentile(hello, 99).toFixed(2)} ms`);
  await bridge.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
