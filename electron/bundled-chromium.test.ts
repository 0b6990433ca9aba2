// The build-time Chromium step (scripts/chromium-bundle.ts) against a loopback mirror serving a
// fake Chrome for Testing zip, then found by the engine's resolver as the packaged app would.
import { BrowserPlatform, ChromeReleaseChannel } from '@puppeteer/browsers';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBrowser } from '../bridge/engine/chromium/index.js';
import { BundleError, bundleChromium, parseBundleArgs, platformForElectronTarget } from '../scripts/chromium-bundle.js';

const BUILD = '131.0.6778.85';
let tmp: string;
let server: http.Server;
let baseUrl: string;
const requests: string[] = [];

/** A zip laid out like Chrome for Testing's, made with the system zip tool. */
function fakeChromeZip(folder: string, exe: string): Buffer {
  const src = fs.mkdtempSync(path.join(tmp, 'zip-'));
  fs.mkdirSync(path.join(src, folder));
  fs.writeFileSync(path.join(src, folder, exe), '#!/bin/sh\necho fake chrome\n', { mode: 0o755 });
  fs.writeFileSync(path.join(src, folder, 'resources.pak'), Buffer.alloc(4096, 1));
  execFileSync('zip', ['-qr', path.join(src, 'out.zip'), folder], { cwd: src });
  return fs.readFileSync(path.join(src, 'out.zip'));
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-chromium-'));
  const files: Record<string, Buffer> = {
    [`/${BUILD}/linux64/chrome-linux64.zip`]: fakeChromeZip('chrome-linux64', 'chrome'),
    [`/${BUILD}/win64/chrome-win64.zip`]: fakeChromeZip('chrome-win64', 'chrome.exe'),
  };
  server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const body = files[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('bundleChromium', () => {
  it('installs the browser into the shipped folder, where the engine finds it', async () => {
    const dir = path.join(tmp, 'build', 'chromium');
    fs.mkdirSync(path.join(dir, 'chrome', 'linux-120.0.0.0'), { recursive: true }); // an old leftover
    const result = await bundleChromium({ dir, platform: BrowserPlatform.LINUX, buildId: BUILD, channel: ChromeReleaseChannel.STABLE, baseUrl });
    expect(result.executablePath).toBe(path.join(dir, 'chrome', `linux-${BUILD}`, 'chrome-linux64', 'chrome'));
    expect(result.bytes).toBeGreaterThan(4096);
    expect(fs.existsSync(path.join(dir, 'chrome', 'linux-120.0.0.0'))).toBe(false);
    expect(requests.some((r) => r.endsWith(`/${BUILD}/linux64/chrome-linux64.zip`))).toBe(true);

    const found = findBrowser({ bundledDir: dir, platform: 'linux', env: {}, exists: (p) => p.startsWith(dir) && fs.existsSync(p) });
    expect(found).toEqual({ path: result.executablePath, source: 'bundled' });
  });

  it('fetches for another OS (a Windows installer built on Linux)', async () => {
    const dir = path.join(tmp, 'win', 'chromium');
    const result = await bundleChromium({ dir, platform: BrowserPlatform.WIN64, buildId: BUILD, channel: ChromeReleaseChannel.STABLE, baseUrl });
    expect(result.executablePath).toBe(path.join(dir, 'chrome', `win64-${BUILD}`, 'chrome-win64', 'chrome.exe'));
    const found = findBrowser({ bundledDir: dir, platform: 'win32', env: {}, exists: (p) => fs.existsSync(p) });
    expect(found?.source).toBe('bundled');
  });

  it('fails with the reason when the mirror has no such build', async () => {
    const dir = path.join(tmp, 'missing');
    await expect(
      bundleChromium({ dir, platform: BrowserPlatform.LINUX, buildId: '1.2.3.4', channel: ChromeReleaseChannel.STABLE, baseUrl }),
    ).rejects.toThrow(/1\.2\.3\.4/);
  });
});

describe('parseBundleArgs', () => {
  it('defaults to build/chromium, the host platform and the stable channel', () => {
    expect(parseBundleArgs([], {}, () => BrowserPlatform.LINUX)).toEqual({ dir: path.resolve('build/chromium'), platform: 'linux', channel: 'stable' });
  });

  it('takes flags and environment variables', () => {
    expect(parseBundleArgs(['--platform', 'win64', '--build-id', BUILD, '--base-url', 'http://127.0.0.1:1'], {}, () => BrowserPlatform.LINUX)).toMatchObject({
      platform: 'win64',
      buildId: BUILD,
      baseUrl: 'http://127.0.0.1:1',
    });
    expect(parseBundleArgs([], { WA_BRIDGE_CHROMIUM_PLATFORM: 'mac_arm', WA_BRIDGE_CHROMIUM_BUILD_ID: BUILD }, () => BrowserPlatform.LINUX)).toMatchObject({
      platform: 'mac_arm',
      buildId: BUILD,
    });
  });

  it('maps the electron-builder target being packed (hook arch numbers too)', () => {
    expect(platformForElectronTarget('win32', 'x64')).toBe('win64');
    expect(platformForElectronTarget('win32', '0')).toBe('win32');
    expect(platformForElectronTarget('darwin', '3')).toBe('mac_arm');
    expect(platformForElectronTarget('darwin', 'x64')).toBe('mac');
    expect(platformForElectronTarget('linux', '1')).toBe('linux');
    expect(platformForElectronTarget('linux', 'arm64')).toBeNull();
    expect(platformForElectronTarget('darwin', 'universal')).toBeNull();
    expect(parseBundleArgs(['--electron-platform', 'win32', '--arch', '1'], {}, () => BrowserPlatform.LINUX).platform).toBe('win64');
    let err: unknown;
    try {
      parseBundleArgs(['--electron-platform', 'linux', '--arch', 'arm64'], {}, () => BrowserPlatform.LINUX);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BundleError);
    expect((err as BundleError).unsupported).toBe(true);
  });

  it('refuses what cannot work, in words', () => {
    expect(() => parseBundleArgs(['--platform', 'linux_arm'], {}, () => BrowserPlatform.LINUX)).toThrow(BundleError);
    expect(() => parseBundleArgs(['--platform', 'solaris'], {}, () => BrowserPlatform.LINUX)).toThrow(/use one of/);
    expect(() => parseBundleArgs(['--build-id', 'latest'], {}, () => BrowserPlatform.LINUX)).toThrow(/not a version/);
    expect(() => parseBundleArgs(['--channel', 'nightly'], {}, () => BrowserPlatform.LINUX)).toThrow(/--channel/);
    expect(() => parseBundleArgs(['--bogus'], {}, () => BrowserPlatform.LINUX)).toThrow(/Usage/);
    expect(() => parseBundleArgs([], { WA_BRIDGE_CHROMIUM_PLATFORM: '' }, () => undefined)).toThrow(/unknown/);
  });
});
