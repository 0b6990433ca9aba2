// `npm run bench -- snapshots`: six slots of the real engine on the WhatsApp Web simulator.
// Pairs six slots (each given some history), then prints per slot: snapshot size and make time
// (POST /api/slots/N/snapshot), the whole-bridge backup and restore times, and the time from the
// start of a bridge on the restored (fresh) data dir to each slot READY — with no QR.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createBackup, restoreBackup } from '../bridge/backup/bundle.js';
import { createBridge } from '../bridge/bridge.js';
import { loadConfig, type ConfigInput } from '../bridge/config.js';
import { sweepOrphanBrowsers } from '../bridge/engine/chromium/index.js';
import type { Bridge } from '../bridge/types.js';
import { simForSlot } from '../test/wa-sim/control.js';
import { prepareSimulatorCache } from '../test/wa-sim/index.js';

const SLOTS = Number(process.env.BENCH_SLOTS ?? 6);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100);
const silent = pino({ level: 'silent' });
const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));
const cache = prepareSimulatorCache(tmp('wab-bench-snap-cache-'), { qrIntervalMs: 20_000 });

function config(dataDir: string): ReturnType<typeof loadConfig> {
  const input: ConfigInput = {
    dataDir,
    port: 0,
    host: '127.0.0.1',
    engine: 'wwebjs',
    slots: SLOTS,
    chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    webVersion: cache.webVersion,
    webCacheDir: cache.webCacheDir,
    snapshotFirstDelayMs: 3_600_000,
    logLevel: 'warn',
  };
  return loadConfig({}, input);
}

async function start(dataDir: string): Promise<Bridge> {
  const bridge = createBridge(config(dataDir), { logDestination: new Writable({ write: (_c, _e, done) => done() }) });
  await bridge.start();
  return bridge;
}

async function api(bridge: Bridge, method: string, url: string, body?: unknown): Promise<any> {
  const res = await fetch(`${bridge.url}${url}`, {
    method,
    headers: { apikey: bridge.adminToken, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function until<T>(check: () => Promise<T | null | undefined | false>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const slotNumbers = Array.from({ length: SLOTS }, (_, i) => i + 1);
const kb = (n: number) => `${(n / 1024).toFixed(0)} kB`;

async function main(): Promise<void> {
  const dirA = tmp('wab-bench-snap-a-');
  const dirB = tmp('wab-bench-snap-b-');
  const a = await start(dirA);
  try {
    for (const n of slotNumbers) await api(a, 'POST', '/api/connect', { slot: n });
    await Promise.all(
      slotNumbers.map(async (n) => {
        const sim = await simForSlot(dirA, n, { timeoutMs: 90_000 });
        await sim.waitForQr({ timeoutMs: 90_000 });
        await sim.scanQr({ phone: `1555000400${n}`, pushname: `Bench ${n}` });
        await until(async () => (await api(a, 'GET', '/api/slots'))[n - 1].ready, 120_000, `slot ${n} READY`);
        for (let i = 0; i < MESSAGES; i++) await sim.deliverMessage({ from: `96278152${String(1000 + (i % 20))}`, body: `message ${i} for slot ${n} `.repeat(4) });
        await sim.disconnect();
      }),
    );
    console.log(`${SLOTS} slots paired, ${MESSAGES} incoming messages each`);
    const made: { slot: number; bytes: number; ms: number }[] = [];
    for (const n of slotNumbers) {
      const t0 = performance.now();
      const res = await api(a, 'POST', `/api/slots/${n}/snapshot`);
      made.push({ slot: n, bytes: res.snapshot.bytes, ms: performance.now() - t0 });
    }
    console.log('\nslot  snapshot  make (stage+pack+encrypt+store)');
    for (const m of made) console.log(`${String(m.slot).padStart(4)}  ${kb(m.bytes).padStart(8)}  ${m.ms.toFixed(0).padStart(6)} ms`);
  } finally {
    await a.stop();
  }

  const file = path.join(tmp('wab-bench-snap-file-'), 'bridge.wabackup');
  let t0 = performance.now();
  const manifest = await createBackup(config(dirA), file, 'bench passphrase', silent);
  const backupMs = performance.now() - t0;
  t0 = performance.now();
  await restoreBackup(config(dirB), file, 'bench passphrase', { logger: silent });
  const restoreMs = performance.now() - t0;
  console.log(`\nwhole-bridge backup: ${kb(fs.statSync(file).size)} (${manifest.slots.length} snapshots, archive ${manifest.archive}) in ${backupMs.toFixed(0)} ms; restore into a fresh data dir ${restoreMs.toFixed(0)} ms`);

  t0 = performance.now();
  const b = await start(dirB);
  const startMs = performance.now() - t0;
  const readyAt = new Map<number, number>();
  let qrs = 0;
  const off = b.onEvent((event) => {
    if (event.type === 'qr') qrs++;
    if (event.type === 'status' && event.ready && !readyAt.has(event.slot)) readyAt.set(event.slot, performance.now() - t0);
  });
  try {
    await until(async () => readyAt.size === SLOTS, 180_000, 'all slots READY on the restored data dir');
    const phones = (await api(b, 'GET', '/api/slots')).map((s: { phone: string }) => s.phone);
    console.log(`\nrestored bridge: start() ${startMs.toFixed(0)} ms; QR codes shown: ${qrs}; accounts: ${phones.join(' ')}`);
    console.log('slot  restore-to-READY (from bridge start)');
    for (const n of slotNumbers) console.log(`${String(n).padStart(4)}  ${readyAt.get(n)!.toFixed(0).padStart(6)} ms`);
  } finally {
    off();
    await b.stop();
    await sweepOrphanBrowsers(dirA, silent);
    await sweepOrphanBrowsers(dirB, silent);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
