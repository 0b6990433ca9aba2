// The WhatsApp Web simulator, delivered the way whatsapp-web.js loads a pinned web version:
// one self-contained HTML file in a local version cache (`webVersionCache: {type:'local', path}`
// + `webVersion`), which the library serves for https://web.whatsapp.com/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Numeric like a real build (the library compares versions as numbers), but not a real one. */
export const SIM_WEB_VERSION = '2.3000.1999999999';

/** The whatsapp-web.js release whose page contract this simulator implements. */
export const TARGET_WWEBJS_VERSION = '1.34.7';

/** Page files, concatenated in this order into one script (they share one scope). */
const PAGE_PARTS = ['core.js', 'store.js', 'session.js', 'actions.js', 'modules.js', 'control.js'];

export interface SimulatorOptions {
  /** How often an unscanned QR ref is replaced (the real site: about 20 s). */
  qrIntervalMs?: number;
  /** Delay before the server acknowledges a sent message (ack 1). */
  serverAckMs?: number;
  /** Length of the simulated history sync before `ready`. */
  syncDelayMs?: number;
  /** Messages per chat loaded after a restart; older ones come through loadEarlierMsgs. */
  recentPerChat?: number;
}

export interface SimulatorCache {
  webVersion: string;
  webCacheDir: string;
}

const pageDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'page');

function checkOptions(opts: SimulatorOptions): void {
  for (const [key, value] of Object.entries(opts)) {
    if (value === undefined) continue;
    if (!['qrIntervalMs', 'serverAckMs', 'syncDelayMs', 'recentPerChat'].includes(key)) {
      throw new Error(`wa-sim: unknown option ${key}`);
    }
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 3_600_000) {
      throw new Error(`wa-sim: ${key} must be an integer 0..3600000, got ${String(value)}`);
    }
  }
  if (opts.qrIntervalMs !== undefined && opts.qrIntervalMs < 100) throw new Error('wa-sim: qrIntervalMs must be ≥ 100');
}

/** The simulator page as one HTML document with all script inline (no other request is made). */
export function buildSimulatorHtml(opts: SimulatorOptions = {}): string {
  checkOptions(opts);
  const script = PAGE_PARTS.map((f) => `// ---- ${f}\n${fs.readFileSync(path.join(pageDir, f), 'utf8')}`).join('\n');
  if (/<\/script/i.test(script)) throw new Error('wa-sim: page script must not contain "</script"');
  const config = JSON.stringify({ ...opts, version: SIM_WEB_VERSION }).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>WhatsApp</title></head>',
    '<body style="font:14px monospace;white-space:pre;margin:2em">',
    '<div id="wa-sim">loading…</div>',
    `<script>window.__WA_SIM_CONFIG__ = ${config};</script>`,
    `<script>(function () {\n'use strict';\n${script}\n})();</script>`,
    '</body></html>',
  ].join('\n');
}

/**
 * Write the simulator into a local web-version cache folder (`<dir>/<webVersion>.html`, the name
 * LocalWebCache reads) and return what to give whatsapp-web.js — or the bridge as
 * WA_BRIDGE_WEB_VERSION / WA_BRIDGE_WEB_CACHE_DIR.
 */
export function prepareSimulatorCache(dir?: string, opts: SimulatorOptions = {}): SimulatorCache {
  const webCacheDir = path.resolve(dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wa-sim-cache-')));
  fs.mkdirSync(webCacheDir, { recursive: true });
  fs.writeFileSync(path.join(webCacheDir, `${SIM_WEB_VERSION}.html`), buildSimulatorHtml(opts));
  return { webVersion: SIM_WEB_VERSION, webCacheDir };
}
