// What really went out: a tap on the simulator page's send action (the module whatsapp-web.js
// calls for every message, `WAWebSendMsgChatAction.addAndSendMsgToChat`), reported to the test
// process over CDP the moment the page hands a message to its "server". It lives in the test
// process, so what a node sent stays counted after that node and its browser are killed.
import fs from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { waitFor } from '../helpers/bridge.js';
import { browserInfoPath } from '../wa-sim/control.js';

export interface Sent {
  body: string;
  id: string;
  /** Which tap saw it (a node's name). */
  via: string;
}

const PATCH = `(() => {
  const mod = window.require('WAWebSendMsgChatAction');
  if (mod.__wabTapped) return;
  const send = mod.addAndSendMsgToChat;
  mod.addAndSendMsgToChat = function (chat, data) {
    window.__wabTap(String(data && data.body != null ? data.body : ''), String(data && data.id ? data.id._serialized || data.id : ''));
    return send.apply(this, arguments);
  };
  mod.__wabTapped = true;
})()`;

/**
 * Waits for the slot's browser (a new one when `notPid` is the last known pid), then taps its
 * simulator page. Attach before the slot is READY: sends made before the tap are not seen.
 */
export async function tapSends(dataDir: string, slot: number, via: string, into: Sent[], opts: { notPid?: number | null; timeoutMs?: number } = {}): Promise<{ pid: number; close(): Promise<void> }> {
  const file = browserInfoPath(dataDir, slot);
  const info = await waitFor(() => {
    try {
      const i = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number; wsEndpoint?: string };
      return i.wsEndpoint && i.pid !== opts.notPid ? (i as { pid: number; wsEndpoint: string }) : null;
    } catch {
      return null;
    }
  }, opts.timeoutMs ?? 120_000, `a browser for slot ${slot} in ${dataDir}`);
  const browser: Browser = await puppeteer.connect({ browserWSEndpoint: info.wsEndpoint, defaultViewport: null });
  const page = await waitFor(async () => {
    for (const p of await browser.pages()) {
      if (!p.url().startsWith('https://web.whatsapp.com')) continue;
      if (await p.evaluate('typeof window.require === "function" && typeof window.__waSim === "object"').catch(() => false)) return p;
    }
    return null;
  }, 60_000, 'the simulator page');
  await page.exposeFunction('__wabTap', (body: string, id: string) => void into.push({ body, id, via }));
  await page.evaluate(PATCH);
  return { pid: info.pid, close: () => browser.disconnect().catch(() => undefined) };
}
