// Which browser runs the slots, in order: CHROME_PATH → the browser shipped with the desktop
// app (a @puppeteer/browsers cache folder) → Chrome, Edge, Chromium installed at their standard
// places on this OS. Everything is injectable so each OS layout can be tested from any OS.
import { Browser, BrowserPlatform, Cache, type InstalledBrowser } from '@puppeteer/browsers';
import fs from 'node:fs';
import path from 'node:path';

export interface FindBrowserOptions {
  chromePath?: string;
  bundledDir?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  exists?: (p: string) => boolean;
}

export interface FoundBrowser {
  path: string;
  source: 'CHROME_PATH' | 'bundled' | 'system';
}

function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Windows env names are case-insensitive; a plain object is not. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? env[key] || undefined : undefined;
}

const OS_FAMILY: Partial<Record<NodeJS.Platform, BrowserPlatform[]>> = {
  linux: [BrowserPlatform.LINUX, BrowserPlatform.LINUX_ARM],
  darwin: [BrowserPlatform.MAC_ARM, BrowserPlatform.MAC],
  win32: [BrowserPlatform.WIN64, BrowserPlatform.WIN32],
};
// A full browser first; the headless shell runs WhatsApp Web too, but lacks codecs.
const BUNDLED_PREFERENCE = [Browser.CHROME, Browser.CHROMIUM, Browser.CHROMEHEADLESSSHELL];

function compareBuildIds(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest suitable browser in a @puppeteer/browsers cache folder, or null. */
export function findBundledBrowser(bundledDir: string, platform: NodeJS.Platform, exists: (p: string) => boolean): string | null {
  const family = OS_FAMILY[platform] ?? [];
  let installed: InstalledBrowser[];
  try {
    installed = new Cache(bundledDir).getInstalledBrowsers();
  } catch {
    return null; // unreadable folder: fall through to the installed browsers
  }
  const usable = installed
    .filter((b) => family.includes(b.platform) && BUNDLED_PREFERENCE.includes(b.browser))
    .sort(
      (a, b) =>
        BUNDLED_PREFERENCE.indexOf(a.browser) - BUNDLED_PREFERENCE.indexOf(b.browser) ||
        family.indexOf(a.platform) - family.indexOf(b.platform) ||
        compareBuildIds(b.buildId, a.buildId),
    );
  return usable.map((b) => b.executablePath).find(exists) ?? null;
}

/** Standard install locations of Chrome, then Edge, then Chromium. */
export function systemBrowserPaths(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  if (platform === 'win32') {
    const roots = [
      envValue(env, 'PROGRAMFILES'),
      envValue(env, 'ProgramW6432'),
      envValue(env, 'PROGRAMFILES(X86)'),
      envValue(env, 'LOCALAPPDATA'),
      'C:\\Program Files',
      'C:\\Program Files (x86)',
    ].filter((r, i, all): r is string => !!r && all.indexOf(r) === i);
    const apps = ['Google\\Chrome\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe', 'Chromium\\Application\\chrome.exe'];
    return apps.flatMap((app) => roots.map((root) => path.win32.join(root, app)));
  }
  if (platform === 'darwin') {
    const home = envValue(env, 'HOME');
    const apps = ['Google Chrome', 'Microsoft Edge', 'Chromium'];
    return apps.flatMap((app) => {
      const rel = path.posix.join(`${app}.app`, 'Contents', 'MacOS', app);
      return [path.posix.join('/Applications', rel), ...(home ? [path.posix.join(home, 'Applications', rel)] : [])];
    });
  }
  return [
    '/opt/google/chrome/chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/google-chrome',
    '/opt/microsoft/msedge/msedge',
    '/usr/bin/microsoft-edge-stable',
    '/usr/bin/microsoft-edge',
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
  ];
}

/** The browser to launch, or null when there is none (see browserMissingMessage). */
export function findBrowser(opts: FindBrowserOptions = {}): FoundBrowser | null {
  const platform = opts.platform ?? process.platform;
  const env = opts.env ?? process.env;
  const exists = opts.exists ?? isExecutableFile;
  const chromePath = opts.chromePath ?? envValue(env, 'CHROME_PATH');
  if (chromePath && exists(chromePath)) return { path: chromePath, source: 'CHROME_PATH' };
  if (opts.bundledDir) {
    const bundled = findBundledBrowser(opts.bundledDir, platform, exists);
    if (bundled) return { path: bundled, source: 'bundled' };
  }
  const system = systemBrowserPaths(platform, env).find(exists);
  return system ? { path: system, source: 'system' } : null;
}

/** What to tell the user when no browser was found, in words they can act on. */
export function browserMissingMessage(platform: NodeJS.Platform = process.platform): string {
  const tail = 'or set CHROME_PATH to the browser program, then connect the slot again.';
  switch (platform) {
    case 'win32':
      return `No Chrome, Edge or Chromium found. Install Google Chrome (https://www.google.com/chrome/) or Microsoft Edge, ${tail}`;
    case 'darwin':
      return `No Chrome, Edge or Chromium found. Install Google Chrome (https://www.google.com/chrome/) into Applications, ${tail}`;
    default:
      return `No Chrome, Edge or Chromium found. Install Chromium (for example "sudo apt install chromium") or Google Chrome, ${tail}`;
  }
}
