// Release smoke test of the PACKED app (`npm run smoke`, after `npm run dist`; the release
// workflow runs it on each OS). It starts the unpacked app from release/ in a throw-away home,
// then checks: the window shows the six slot cards, the bridge answers /api/health on its port,
// the tray was created, and quitting leaves no Chromium behind.
// Playwright drives the window over the DevTools protocol (connectOverCDP): its Electron
// launcher needs `--inspect`, which the shipped binary refuses (the EnableNodeCliInspectArguments
// fuse is off, as it must be).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { isAlive, listProcesses } from '../../bridge/engine/chromium/processes.js';
import { logFile } from '../../electron/app-paths.js';
import { QUIT_FLAG } from '../../electron/shell-state.js';
import { isolatedEnv, leftovers, packedExecutable, smokeUserData } from './smoke-plan.js';

const TOKEN = 'smoke-test-admin-token-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function until<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`smoke: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function step(text: string): void {
  console.log(`smoke: ${text}`);
}

async function main(): Promise<void> {
  const releaseDir = path.resolve(process.argv[2] ?? 'release');
  const exe = packedExecutable(process.platform, process.arch, releaseDir);
  if (!fs.existsSync(exe)) throw new Error(`smoke: no packed app at ${exe}: run npm run dist first`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-bridge-smoke-'));
  const userData = smokeUserData(process.platform, home);
  const env = { ...process.env, ...isolatedEnv(process.platform, home), WA_BRIDGE_ADMIN_TOKEN: TOKEN };
  const cdpPort = await freePort();

  step(`starting ${exe}`);
  const app = spawn(exe, [`--remote-debugging-port=${cdpPort}`], { env, stdio: 'inherit' });
  const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)));
  try {
    const browser = await until('the DevTools endpoint', () => chromium.connectOverCDP(`http://127.0.0.1:${cdpPort}`).catch(() => null));
    const page = await until('the admin app window', () => browser.contexts().flatMap((c) => c.pages()).find((p) => p.url().startsWith('http://')));
    await page.locator('[data-testid=slot-card]').nth(5).waitFor({ timeout: 60_000 });
    step(`window shows ${await page.locator('[data-testid=slot-card]').count()} slot cards`);

    const base = new URL(page.url()).origin;
    const api = (route: string, body?: unknown) =>
      fetch(`${base}${route}`, { method: body ? 'POST' : 'GET', headers: { apikey: TOKEN, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const health = await api('/api/health');
    if (!health.ok) throw new Error(`smoke: /api/health answered ${health.status}`);
    step(`bridge answers /api/health on ${base}: ${((await health.json()) as { status: string }).status}`);

    await until('the tray', () => fs.existsSync(logFile(userData, 'desktop')) && fs.readFileSync(logFile(userData, 'desktop'), 'utf8').includes('tray created'));
    step('tray created');

    // Start one slot's browser so that quitting has a Chromium to clean up.
    await api('/api/connect', { slot: 1 });
    const pid = await until('slot 1 browser', async () => ((await (await api('/api/health')).json()) as { slots: Array<{ slot: number; pid: number | null }> }).slots.find((s) => s.slot === 1)?.pid, 120_000);
    step(`slot 1 browser running (pid ${pid})`);
    await browser.close().catch(() => {});

    step('quitting');
    spawn(exe, [QUIT_FLAG], { env, stdio: 'ignore' });
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
    if (code === 'timeout') throw new Error('smoke: the app did not quit within 60 s');
    await until('the slot browser to exit', () => !isAlive(pid), 15_000);
    const left = leftovers(await listProcesses(), [userData, path.dirname(exe)]);
    if (left.length) throw new Error(`smoke: left behind after quit:\n${left.map((p) => `${p.pid} ${p.command}`).join('\n')}`);
    step(`quit cleanly (exit ${code}), no Chromium left behind`);
  } finally {
    if (app.exitCode === null && app.signalCode === null) app.kill();
    fs.rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
