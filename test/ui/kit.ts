// Shared set-up of the UI tests: a demo bridge serving the built admin app, Debian's Chromium
// through playwright-core, and signed-in pages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createBridge } from '../../bridge/bridge.js';
import { loadConfig, type ConfigInput } from '../../bridge/config.js';
import type { Bridge } from '../../bridge/types.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RENDERER = path.join(ROOT, 'dist', 'renderer');
const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface UiKit {
  bridge: Bridge;
  dataDir: string;
  browser: Browser;
  context: BrowserContext;
  /** Call the bridge's API with the admin token. */
  api<T = unknown>(method: string, route: string, body?: unknown): Promise<T>;
  /** A new tab, signed in, optionally in Arabic and/or dark. */
  page(opts?: { lang?: 'en' | 'ar'; theme?: 'light' | 'dark' }): Promise<Page>;
  /** Connect a slot through the API and wait until it is ready. */
  connect(slot: number): Promise<void>;
  /** Start the bridge again on the same port and data dir (after `bridge.stop()`). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** `env`: environment variables the bridge reads; `restartable`: "Restart the bridge" restarts it in place. */
export async function startUi(config: ConfigInput = {}, viewport = { width: 1280, height: 800 }, extra: { env?: NodeJS.ProcessEnv; restartable?: boolean } = {}): Promise<UiKit> {
  if (!fs.existsSync(path.join(RENDERER, 'index.html'))) throw new Error('dist/renderer is not built: run `npm run test:ui` (it builds first) or `npx vite build`');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-bridge-ui-'));
  const sink = { write: () => undefined };
  const boot = async (port: number) => {
    const b = createBridge(
      loadConfig(extra.env ?? {}, { port, host: '127.0.0.1', dataDir, engine: 'demo', demoScanMs: 300, logLevel: 'info', ratePerMinute: 1000, ratePerHour: 10000, ...config }),
      {
        rendererDir: RENDERER,
        logDestination: sink,
        ...(extra.restartable ? { onRestart: () => void kit.bridge.stop().then(() => kit.restart()) } : {}),
      },
    );
    await b.start();
    return b;
  };
  const kit: UiKit = {
    bridge: await boot(0),
    dataDir,
    browser: await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true }),
    context: undefined as unknown as BrowserContext,
    async api<T>(method: string, route: string, body?: unknown): Promise<T> {
      const res = await fetch(kit.bridge.url + route, {
        method,
        headers: { apikey: kit.bridge.adminToken, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json()) as T;
    },
    async page(opts = {}) {
      const p = await kit.context.newPage();
      await p.emulateMedia({ colorScheme: opts.theme ?? 'light' });
      // A script string: this file is type-checked without the DOM library.
      await p.addInitScript({
        content:
          `sessionStorage.setItem('waBridge.adminToken', ${JSON.stringify(kit.bridge.adminToken)});` +
          (opts.lang ? `localStorage.setItem('waBridge.lang', ${JSON.stringify(opts.lang)});` : ''),
      });
      return p;
    },
    async connect(slot) {
      await kit.api('POST', '/api/connect', { slot });
      for (let i = 0; i < 600; i++) {
        const slots = await kit.api<{ slot: number; ready: boolean }[]>('GET', '/api/slots');
        if (slots.find((s) => s.slot === slot)?.ready) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`slot ${slot} never became ready`);
    },
    async restart() {
      kit.bridge = await boot(port);
    },
    async close() {
      await kit.browser.close();
      await kit.bridge.stop().catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  // The port is kept: the bridge's own url is gone once it stops.
  const port = Number(new URL(kit.bridge.url).port);
  kit.context = await kit.browser.newContext({ viewport, locale: 'en-US', colorScheme: 'light', timezoneId: 'Asia/Amman' });
  kit.context.setDefaultTimeout(10_000);
  return kit;
}

/** Wait until the clock has just entered a new second (so a burst shares one timestamp). */
export async function freshSecond(): Promise<void> {
  while (Date.now() % 1000 > 40) await new Promise((r) => setTimeout(r, 5));
}

/**
 * A stand-in for the desktop app's preload (`window.waBridge`, electron/preload.cts), as a script
 * for `page.addInitScript`: Electron cannot run here. It signs the page in with `token` as the main
 * process does (electron/desktop-session.ts); updates are off. `setup` is page script run first
 * (state the members record into), `members` page source of members that replace or add to these.
 */
export function desktopStandIn(token: string, { setup = '', members = '' } = {}): string {
  return `
  ${setup}
  const off = { configured: false, automatic: false, status: 'off' };
  window.waBridge = Object.freeze({
    platform: 'linux',
    signIn: async () => void (await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: ${JSON.stringify(token)} }) })),
    openExternal: async () => {},
    onOpenChat: () => () => {},
    secretStorageBackend: async () => 'gnome_libsecret',
    updates: async () => off,
    setAutoUpdate: async () => off,
    checkForUpdates: async () => off,
    setUnreadCount: () => {},
    ...{ ${members} },
  });`;
}
