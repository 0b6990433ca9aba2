// `npm run bench -- slots`: six slots of the real engine (whatsapp-web.js + Debian's Chromium)
// on the WhatsApp Web simulator, run as `node bridge/main.ts` in a child process.
// Prints: time from start to six READY (cold = QR scanned by the bench; restored = restart
// without QR), PSS of the bridge + six READY slots (total and per slot) with and without the
// low-memory flags, and the floor: six Chromium on the same simulator page, no bridge, launched
// with the bridge's own flags (slotBrowserArgs, with and without the low-memory ones: the ratio
// compares like with like) and, for reference, with bare flags.
// BENCH_FLAGS=1 adds the per-flag table flags.ts quotes (3 browsers per run on the simulator
// page, base ± each flag, BENCH_FLAG_RUNS runs, default 3, median per flag);
// BENCH_FLAGS=only prints just that table.
// Memory is PSS from /proc/<pid>/smaps_rollup: RSS would count shared pages once per process.
// Recovery: kill -9 of slot 1's Chromium, then of its page's renderer, each timed to READY again.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { baseFlags, killTree, listProcesses, treeOf, LOW_MEMORY_FLAGS, processMemory, treeMemory } from '../bridge/engine/chromium/index.js';
import { slotBrowserArgs } from '../bridge/engine/chromium/flags.js';
import { simForSlot } from '../test/wa-sim/control.js';
import { buildSimulatorHtml, prepareSimulatorCache } from '../test/wa-sim/index.js';

const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const SLOTS = Number(process.env.BENCH_SLOTS ?? 6);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 8000);
const ADMIN = 'bench-admin-token-0123456789abcdef';
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PSS of a process tree, measured a few times after settling; the median is reported. */
async function settledPss(pid: number): Promise<{ pss: number; rss: number; processes: number }> {
  await sleep(SETTLE_MS);
  const samples: Array<{ pss: number; rss: number; processes: number }> = [];
  for (let i = 0; i < 3; i++) {
    const m = treeMemory(pid, await listProcesses());
    if (!m) throw new Error(`process ${pid} is gone`);
    samples.push({ pss: m.pssBytes, rss: m.rssBytes, processes: m.pids.length });
    await sleep(1000);
  }
  samples.sort((a, b) => a.pss - b.pss);
  return samples[1]!;
}

/** A Chromium showing the simulator page the way whatsapp-web.js serves it. */
async function bareBrowser(profile: string, flags: string[], html: string): Promise<Browser> {
  const browser = await puppeteer.launch({
    executablePath: CHROME,
    userDataDir: profile,
    headless: true,
    args: flags,
    ignoreDefaultArgs: ['--enable-automation'],
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    if (req.url() === 'https://web.whatsapp.com/') void req.respond({ status: 200, contentType: 'text/html', body: html });
    else void req.abort();
  });
  await page.goto('https://web.whatsapp.com/', { waitUntil: 'load' });
  return browser;
}

interface Measured {
  pss: number;
  uss: number;
  processes: number;
}

/** Sum over several browsers' trees, measured together after settling (median of 3 samples). */
async function browsersMemory(browsers: Browser[]): Promise<Measured> {
  await sleep(SETTLE_MS);
  const samples: Measured[] = [];
  for (let i = 0; i < 3; i++) {
    const table = await listProcesses();
    const sum: Measured = { pss: 0, uss: 0, processes: 0 };
    for (const b of browsers) {
      const m = treeMemory(b.process()!.pid!, table);
      sum.pss += m?.pssBytes ?? 0;
      sum.uss += m?.ussBytes ?? 0;
      sum.processes += m?.pids.length ?? 0;
    }
    samples.push(sum);
    await sleep(1000);
  }
  samples.sort((a, b) => a.pss - b.pss);
  return samples[1]!;
}

async function closeAll(browsers: Browser[]) {
  for (const b of browsers) {
    const pid = b.process()?.pid;
    await b.close().catch(() => undefined);
    if (pid) await killTree(pid).catch(() => undefined);
  }
}

/** The floor: N Chromium (no bridge, no whatsapp-web.js) on the simulator page, with `flags(slot)`. */
async function floor(work: string, html: string, tag: string, flags: (slot: number) => string[]): Promise<number> {
  const browsers: Browser[] = [];
  try {
    for (let i = 0; i < SLOTS; i++) {
      browsers.push(await bareBrowser(path.join(work, `floor-${tag}-${i}`), flags(i + 1), html));
    }
    return (await browsersMemory(browsers)).pss;
  } finally {
    await closeAll(browsers);
  }
}

const FLAG_BROWSERS = 3;
const FLAG_RUNS = Number(process.env.BENCH_FLAG_RUNS ?? 3);

/** Three browsers on the simulator page with base flags plus `extra`: memory per browser. */
async function perBrowser(work: string, html: string, extra: string[], tag: string): Promise<Measured> {
  const browsers: Browser[] = [];
  try {
    for (let i = 0; i < FLAG_BROWSERS; i++) browsers.push(await bareBrowser(path.join(work, `flags-${tag}-${i}`), [...baseFlags(i + 1), ...extra], html));
    const m = await browsersMemory(browsers);
    return { pss: m.pss / FLAG_BROWSERS, uss: m.uss / FLAG_BROWSERS, processes: m.processes / FLAG_BROWSERS };
  } finally {
    await closeAll(browsers);
  }
}

/** The run whose PSS is the median of FLAG_RUNS runs (flags.ts quotes medians over 3 runs). */
async function medianRun(measure: (run: number) => Promise<Measured>): Promise<Measured> {
  const runs: Measured[] = [];
  for (let run = 0; run < FLAG_RUNS; run++) runs.push(await measure(run));
  runs.sort((a, b) => a.pss - b.pss);
  return runs[Math.floor((runs.length - 1) / 2)]!;
}

async function flagTable(work: string, html: string) {
  const candidates = [
    ...LOW_MEMORY_FLAGS,
    '--disable-features=SpareRendererForSitePerProcess',
    '--no-zygote',
    '--disable-site-isolation-trials',
    '--js-flags=--optimize-for-size',
    '--process-per-site',
    '--enable-features=NetworkServiceInProcess',
    '--disable-features=AudioServiceOutOfProcess',
  ];
  const show = (label: string, m: Measured, base?: Measured) =>
    console.log(
      `flags: ${label.padEnd(56)} PSS ${mb(m.pss).padStart(7)}  USS ${mb(m.uss).padStart(7)}  ${m.processes} proc` +
        (base ? `  (USS ${m.uss <= base.uss ? '-' : '+'}${mb(Math.abs(base.uss - m.uss))})` : ''),
    );
  const base = await medianRun((run) => perBrowser(work, html, [], `base-${run}`));
  show(`base (per browser, ${FLAG_BROWSERS} browsers, median of ${FLAG_RUNS} runs)`, base);
  for (const [i, flag] of candidates.entries()) show(flag, await medianRun((run) => perBrowser(work, html, [flag], `f${i}-${run}`)), base);
  show('all kept low-memory flags', await medianRun((run) => perBrowser(work, html, [...LOW_MEMORY_FLAGS], `all-${run}`)), base);
}

interface BridgeRun {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** `node --import tsx bridge/main.ts` on port 0; resolves once it listens. */
async function startBridge(dataDir: string, env: Record<string, string>): Promise<BridgeRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bridge', 'main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', WA_BRIDGE_DATA_DIR: dataDir, WA_BRIDGE_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /admin app at (http:\/\/localhost:\d+)\//.exec(out);
      if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'));
    });
    child.once('exit', (code) => reject(new Error(`bridge exited (${code}) before listening: ${stderr.slice(-2000)}`)));
  });
  return {
    child,
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000)]);
      if (child.exitCode === null) await killTree(child.pid!);
    },
  };
}

async function api(url: string, route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${route}`, {
    method: body ? 'POST' : 'GET',
    headers: { apikey: ADMIN, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${route}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

async function waitAllReady(url: string, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const slots = (await api(url, '/api/slots')) as Array<{ slot: number; ready: boolean; state?: string }>;
    if (slots.length >= SLOTS && slots.slice(0, SLOTS).every((s) => s.ready)) return;
    if (Date.now() > deadline) throw new Error(`slots not ready: ${JSON.stringify(slots)}`);
    await sleep(100);
  }
}

const seconds = (v: number | string) => (typeof v === 'number' ? `${(v / 1000).toFixed(1)} s` : `not measured (${v})`);

interface SlotHealth { slot: number; state: string; pid: number | null }

/** kill -9 a process of slot 1's browser (the browser itself, or its page's renderer); ms until READY again. */
async function killToReady(url: string, which: 'browser' | 'renderer'): Promise<number> {
  const health = (await api(url, '/api/health')) as { slots: SlotHealth[] };
  const browserPid = health.slots[0]!.pid;
  if (!browserPid) throw new Error('slot 1 has no browser pid');
  let targets = [browserPid];
  if (which === 'renderer') {
    // Every renderer of the browser (the WhatsApp page's among them; Chromium may keep a spare).
    const table = await listProcesses();
    targets = treeOf(browserPid, table)
      .map((pid) => table.find((p) => p.pid === pid))
      .filter((p) => p && /--type=renderer/.test(p.command) && !/--extension-process/.test(p.command))
      .map((p) => p!.pid);
    if (targets.length === 0) throw new Error('no renderer process under the browser');
  }
  const t0 = Date.now();
  for (const pid of targets) process.kill(pid, 'SIGKILL');
  let left = false;
  for (;;) {
    const slots = (await api(url, '/api/slots')) as { slot: number; ready: boolean }[];
    if (!slots[0]!.ready) left = true;
    else if (left) return Date.now() - t0;
    if (Date.now() - t0 > 180_000) throw new Error(`slot 1 not READY again 180 s after killing its ${which}`);
    await sleep(20);
  }
}

/** Cold start (scan every QR) then restart restored; PSS of the restored bridge + six slots. */
async function bridgeRun(work: string, cache: { webVersion: string; webCacheDir: string }, lowMemory: boolean) {
  const dataDir = path.join(work, `bridge-${lowMemory ? 'low' : 'plain'}`);
  const env = {
    WA_BRIDGE_ENGINE: 'wwebjs',
    WA_BRIDGE_SLOTS: String(SLOTS),
    CHROME_PATH: CHROME,
    WA_BRIDGE_WEB_VERSION: cache.webVersion,
    WA_BRIDGE_WEB_CACHE_DIR: cache.webCacheDir,
    WA_BRIDGE_LOW_MEMORY: String(lowMemory),
    WA_BRIDGE_MEMORY_LIMIT_MB: '0',
  };
  const t0 = Date.now();
  let bridge = await startBridge(dataDir, env);
  try {
    for (let n = 1; n <= SLOTS; n++) await api(bridge.url, '/api/connect', { slot: n });
    await Promise.all(
      Array.from({ length: SLOTS }, async (_, i) => {
        const sim = await simForSlot(dataDir, i + 1, { timeoutMs: 120_000 });
        await sim.waitForQr({ timeoutMs: 120_000 });
        await sim.scanQr({ phone: `1555000100${i + 1}`, pushname: `Bench ${i + 1}` });
        await sim.disconnect();
      }),
    );
    await waitAllReady(bridge.url);
    const cold = Date.now() - t0;
    await bridge.stop();

    const t1 = Date.now();
    bridge = await startBridge(dataDir, env);
    await waitAllReady(bridge.url);
    const restored = Date.now() - t1;
    const mem = await settledPss(bridge.child.pid!);
    const node = processMemory(bridge.child.pid!)?.pssBytes ?? 0;
    const recovery = lowMemory
      ? {
          browser: await killToReady(bridge.url, 'browser').catch((err: Error) => err.message),
          renderer: await killToReady(bridge.url, 'renderer').catch((err: Error) => err.message),
        }
      : null;
    return { cold, restored, node, recovery, ...mem };
  } finally {
    await bridge.stop();
  }
}

async function main() {
  if (!fs.existsSync(CHROME)) throw new Error(`no browser at ${CHROME} (set CHROME_PATH)`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wab-bench-slots-'));
  try {
    const cache = prepareSimulatorCache(path.join(work, 'web-cache'));
    const html = buildSimulatorHtml();
    console.log(`slots: ${SLOTS} on ${CHROME}, ${os.cpus().length} cores; settle ${SETTLE_MS} ms before measuring`);
    if (process.env.BENCH_FLAGS === '1' || process.env.BENCH_FLAGS === 'only') await flagTable(work, html);
    if (process.env.BENCH_FLAGS === 'only') return;

    const bareFloor = await floor(work, html, 'bare', () => ['--no-sandbox', '--disable-gpu']);
    console.log(`floor: ${SLOTS} Chromium, bare flags, on the simulator page: ${mb(bareFloor)} PSS (${mb(bareFloor / SLOTS)} each)`);
    for (const lowMemory of [true, false]) {
      const label = lowMemory ? 'low-memory flags on ' : 'low-memory flags off';
      // The floor with exactly the flags the bridge launches its slots with.
      const floorPss = await floor(work, html, `bridge-${lowMemory}`, (slot) => slotBrowserArgs({ slot, lowMemory, extra: [] }));
      console.log(`floor: ${SLOTS} Chromium, the bridge's flags (${label.trim()}): ${mb(floorPss)} PSS (${mb(floorPss / SLOTS)} each)`);
      const r = await bridgeRun(work, cache, lowMemory);
      console.log(
        `bridge (${label}): start→${SLOTS} READY cold ${(r.cold / 1000).toFixed(1)} s, restored ${(r.restored / 1000).toFixed(1)} s; ` +
          `bridge + ${SLOTS} READY slots ${mb(r.pss)} PSS (${mb(r.pss / SLOTS)} per slot; the bridge's Node ${mb(r.node)}; ` +
          `${r.processes} processes; RSS sum ${mb(r.rss)}); ` +
          `${(r.pss / floorPss).toFixed(2)} × the floor with the same flags (target ≤ 1.25), ` +
          `${(r.pss / bareFloor).toFixed(2)} × the bare-flags floor`,
      );
      if (r.recovery) {
        console.log(
          `recovery: kill -9 of slot 1's Chromium → READY ${seconds(r.recovery.browser)}; ` +
            `kill -9 of its page's renderer → READY ${seconds(r.recovery.renderer)}`,
        );
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
