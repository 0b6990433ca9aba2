// Launch one slot's Chromium with puppeteer-core: profile lock recovered first, its own
// process group (so the tree can be killed as one), pid and DevTools endpoint recorded in the
// slot folder (`browser.json`, which the simulator's control channel and operators read).
import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { recoverProfileLock, type LockRecovery } from './lock.js';
import { writeJsonAtomic } from '../../files.js';
import { killTree } from './processes.js';

export interface LaunchOptions {
  executablePath: string;
  profileDir: string;
  slotDir: string;
  args: string[];
  /** Chromium start-up deadline (its DevTools endpoint must appear by then). */
  timeoutMs?: number;
}

export interface LaunchedBrowser {
  pid: number;
  wsEndpoint: string;
  /** Our own CDP connection: a second client beside whatsapp-web.js's. */
  browser: Browser;
  lock: LockRecovery;
  /** Resolves when the browser process has exited (any cause). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const BROWSER_FILE = 'browser.json';


export async function launchBrowser(opts: LaunchOptions): Promise<LaunchedBrowser> {
  fs.mkdirSync(opts.profileDir, { recursive: true });
  fs.mkdirSync(opts.slotDir, { recursive: true });
  const lock = await recoverProfileLock(opts.profileDir);
  const browser = await puppeteer.launch({
    executablePath: opts.executablePath,
    userDataDir: opts.profileDir,
    headless: true,
    args: opts.args,
    ignoreDefaultArgs: ['--enable-automation'],
    defaultViewport: null,
    // The bridge owns signal handling and stops slots itself.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    timeout: opts.timeoutMs ?? 60_000,
    protocolTimeout: 60_000,
  });
  const child = browser.process();
  if (!child?.pid) {
    await browser.close().catch(() => undefined);
    throw new Error('the browser started but reported no process id');
  }
  const pid = child.pid;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const wsEndpoint = browser.wsEndpoint();
  try {
    writeJsonAtomic(path.join(opts.slotDir, BROWSER_FILE), { pid, wsEndpoint, startedAt: new Date().toISOString() }, { compact: true });
  } catch (err) {
    await killTree(pid).catch(() => undefined);
    throw err;
  }
  return { pid, wsEndpoint, browser, lock, exited };
}

/** Forget the recorded browser (after it is gone). */
export function clearBrowserFile(slotDir: string) {
  fs.rmSync(path.join(slotDir, BROWSER_FILE), { force: true });
}
