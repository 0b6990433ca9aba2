// Fast checks of the simulator's packaging (the browser-level behaviour is in test/e2e/sim.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterEach, describe, expect, test } from 'vitest';
import { buildSimulatorHtml, prepareSimulatorCache, SIM_WEB_VERSION } from './index.js';
import { browserInfoPath, connectSim, simForSlot } from './control.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-sim-unit-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('prepareSimulatorCache', () => {
  test('writes <version>.html where LocalWebCache looks for it', () => {
    const dir = path.join(tmp(), 'nested', 'cache');
    const cache = prepareSimulatorCache(dir);
    expect(cache).toEqual({ webVersion: SIM_WEB_VERSION, webCacheDir: dir });
    const html = fs.readFileSync(path.join(dir, `${SIM_WEB_VERSION}.html`), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('window.__waSim');
  });

  test('makes a temp folder when none is given', () => {
    const cache = prepareSimulatorCache();
    dirs.push(cache.webCacheDir);
    expect(fs.existsSync(path.join(cache.webCacheDir, `${cache.webVersion}.html`))).toBe(true);
  });

  test('the version is numeric, as the library compares versions as numbers', () => {
    expect(SIM_WEB_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('options are baked into the page; bad ones are refused', () => {
    expect(buildSimulatorHtml({ qrIntervalMs: 1234 })).toContain('"qrIntervalMs":1234');
    expect(() => buildSimulatorHtml({ qrIntervalMs: 10 })).toThrow(/qrIntervalMs must be ≥ 100/);
    expect(() => buildSimulatorHtml({ serverAckMs: -1 })).toThrow(/serverAckMs must be an integer/);
    expect(() => buildSimulatorHtml({ bogus: 1 } as never)).toThrow(/unknown option bogus/);
  });
});

describe('the page', () => {
  const html = buildSimulatorHtml();
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);

  test('is self-contained: no external script, style, image or link', () => {
    expect(html).not.toMatch(/\s(src|href)\s*=/i);
    expect(html).not.toMatch(/<(link|img|iframe|style|object)\b/i);
    expect(scripts).toHaveLength(2);
    // Nothing reaches the network (closed here) from inside the page either.
    for (const s of scripts) expect(s).not.toMatch(/\bfetch\(|XMLHttpRequest|new WebSocket|\bimport\(|sendBeacon/);
  });

  test('its script parses', () => {
    for (const s of scripts) expect(() => new vm.Script(s)).not.toThrow();
  });
});

describe('control', () => {
  test('browserInfoPath follows the bridge layout', () => {
    expect(browserInfoPath('/data', 4)).toBe(path.join('/data', 'slots', 'slot-4', 'browser.json'));
  });

  test('connectSim refuses what is not a DevTools endpoint', async () => {
    await expect(connectSim('http://127.0.0.1:1/')).rejects.toThrow(/not a DevTools WebSocket endpoint/);
  });

  test('simForSlot: bad slot, missing or unusable browser.json give clear errors', async () => {
    const dataDir = tmp();
    await expect(simForSlot(dataDir, 0)).rejects.toThrow(/bad slot/);
    await expect(simForSlot(dataDir, 1, { timeoutMs: 300 })).rejects.toThrow(/browser\.json not usable/);
    fs.mkdirSync(path.dirname(browserInfoPath(dataDir, 2)), { recursive: true });
    fs.writeFileSync(browserInfoPath(dataDir, 2), JSON.stringify({ pid: 1 }));
    await expect(simForSlot(dataDir, 2, { timeoutMs: 300 })).rejects.toThrow(/has no wsEndpoint/);
  });
});
