// Build-time step of `npm run dist`: put a Chrome for Testing into build/chromium, the folder
// electron-builder ships as extraResources (resources/chromium). The layout is a
// @puppeteer/browsers cache, which is what the engine's findBrowser() looks inside.
import { Browser, BrowserPlatform, Cache, ChromeReleaseChannel, detectBrowserPlatform, install, resolveBuildId } from '@puppeteer/browsers';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

/** Platforms Chrome for Testing publishes a full browser for (no Linux arm64 build exists). */
const SUPPORTED: readonly BrowserPlatform[] = [BrowserPlatform.LINUX, BrowserPlatform.MAC, BrowserPlatform.MAC_ARM, BrowserPlatform.WIN64, BrowserPlatform.WIN32];

export interface BundleOptions {
  /** Target folder (build/chromium). */
  dir: string;
  platform: BrowserPlatform;
  /** Exact version; otherwise the channel's current one. */
  buildId?: string;
  channel: ChromeReleaseChannel;
  /** A mirror of storage.googleapis.com/chrome-for-testing-public. */
  baseUrl?: string;
}

export interface Bundled {
  buildId: string;
  platform: BrowserPlatform;
  executablePath: string;
  bytes: number;
}

export class BundleError extends Error {
  /** The target has no Chrome for Testing build: ship none, the app uses an installed browser. */
  constructor(message: string, readonly unsupported = false) {
    super(message);
  }
}

/** electron-builder's Arch enum, by number, as hooks receive it. */
const BUILDER_ARCH = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

/** The browser build for an electron-builder target (platform name + arch name or number). */
export function platformForElectronTarget(platform: string, arch: string): BrowserPlatform | null {
  const archName = /^\d+$/.test(arch) ? BUILDER_ARCH[Number(arch)] : arch;
  if (platform === 'darwin' || platform === 'mas') return archName === 'arm64' ? BrowserPlatform.MAC_ARM : archName === 'x64' ? BrowserPlatform.MAC : null;
  if (platform === 'win32') return archName === 'x64' ? BrowserPlatform.WIN64 : archName === 'ia32' ? BrowserPlatform.WIN32 : null;
  if (platform === 'linux') return archName === 'x64' ? BrowserPlatform.LINUX : null;
  return null;
}

export function parseBundleArgs(argv: string[], env: NodeJS.ProcessEnv, detect: () => BrowserPlatform | undefined = detectBrowserPlatform): BundleOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        dir: { type: 'string', default: path.join('build', 'chromium') },
        platform: { type: 'string' },
        'build-id': { type: 'string' },
        channel: { type: 'string', default: ChromeReleaseChannel.STABLE },
        'base-url': { type: 'string' },
        'electron-platform': { type: 'string' },
        arch: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new BundleError(`${(err as Error).message}. Usage: fetch-chromium [--platform linux|mac|mac_arm|win64|win32] [--build-id 131.0.6778.85 | --channel stable] [--dir build/chromium] [--base-url URL]`);
  }
  let fromTarget: BrowserPlatform | undefined;
  if (values['electron-platform']) {
    const target = `${values['electron-platform']} ${values.arch ?? 'x64'}`;
    const mapped = platformForElectronTarget(values['electron-platform'], values.arch ?? 'x64');
    if (!mapped) throw new BundleError(`Chrome for Testing has no build for ${target}`, true);
    fromTarget = mapped;
  }
  const platform = (values.platform || fromTarget || env.WA_BRIDGE_CHROMIUM_PLATFORM || detect()) as BrowserPlatform | undefined;
  if (!platform || !SUPPORTED.includes(platform)) {
    throw new BundleError(`no Chrome for Testing build for platform "${platform ?? 'unknown'}"; use one of ${SUPPORTED.join(', ')}`);
  }
  const channel = values.channel as ChromeReleaseChannel;
  if (!Object.values(ChromeReleaseChannel).includes(channel)) {
    throw new BundleError(`--channel must be one of ${Object.values(ChromeReleaseChannel).join(', ')}`);
  }
  const buildId = values['build-id'] || env.WA_BRIDGE_CHROMIUM_BUILD_ID || undefined;
  if (buildId !== undefined && !/^\d+(\.\d+){3}$/.test(buildId)) throw new BundleError(`--build-id "${buildId}" is not a version like 131.0.6778.85`);
  const baseUrl = values['base-url'] || env.WA_BRIDGE_CHROMIUM_BASE_URL || undefined;
  return { dir: path.resolve(values.dir), platform, channel, ...(buildId ? { buildId } : {}), ...(baseUrl ? { baseUrl } : {}) };
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** Replace whatever is in opts.dir with exactly one browser for the target platform. */
export async function bundleChromium(opts: BundleOptions, onProgress?: (done: number, total: number) => void): Promise<Bundled> {
  const buildId = opts.buildId ?? (await resolveBuildId(Browser.CHROME, opts.platform, opts.channel));
  if (!buildId) throw new BundleError(`could not resolve the ${opts.channel} Chrome version (offline?)`);
  // Old versions or other platforms would only bloat the installer.
  fs.rmSync(opts.dir, { recursive: true, force: true });
  fs.mkdirSync(opts.dir, { recursive: true });
  const installed = await install({
    browser: Browser.CHROME,
    buildId,
    platform: opts.platform,
    cacheDir: opts.dir,
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
    ...(onProgress ? { downloadProgressCallback: onProgress } : {}),
  });
  // Check it the way the app will look it up.
  const found = new Cache(opts.dir).getInstalledBrowsers().find((b) => b.buildId === buildId && b.platform === opts.platform);
  if (!found || !fs.existsSync(found.executablePath)) {
    throw new BundleError(`the download of Chrome ${buildId} has no executable at ${installed.executablePath}`);
  }
  return { buildId, platform: opts.platform, executablePath: found.executablePath, bytes: folderBytes(opts.dir) };
}
