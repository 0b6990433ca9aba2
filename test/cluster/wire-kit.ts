// What really went out: a tap on the simulator page's send action (the module whatsapp-web.js
// calls for every message, `WAWebSendMsgChatAction.addAndSendMsgToChat`), reported to the test
// process over CDP the moment the page hands a message to its "server". It lives in the test
// process, so what a node sent stays counted after that node and its browser are killed.
import fs from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
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

type BrowserInfo = { pid: number; wsEndpoint: string };

function readInfo(file: string): BrowserInfo | null {
  try {
    const i = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number; wsEndpoint?: string };
    return i.wsEndpoint && i.pid ? (i as BrowserInfo) : null;
  } catch {
    return null;
  }
}

/** Tap one browser's simulator page; resolves once the tap is in place. */
async function tapBrowser(info: BrowserInfo, via: string, into: Sent[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await puppeteer.connect({ browserWSEndpoint: info.wsEndpoint, defaultViewport: null });
  const page = await waitFor(async () => {
    for (const p of await browser.pages()) {
      if (!p.url().startsWith('https://web.whatsapp.com')) continue;
      if (await p.evaluate('typeof window.require === "function" && typeof window.__waSim === "object"').catch(() => false)) return p;
    }
    return null;
  }, 60_000, 'the simulator page');
  await page.exposeFunction('__wabTap', (body: string, id: string) => void into.push({ body, id, via }));
  await page.evaluate(PATCH);
  return { browser, page };
}

/**
 * Taps the slot's simulator page from the first browser whose pid is not `notPid`, and follows
 * the slot to every browser it runs in later (a restart, a reload). Attach before the slot is
 * READY: sends made before the tap are not seen.
 */
export async function tapSends(dataDir: string, slot: number, via: string, into: Sent[], opts: { notPid?: number | null; timeoutMs?: number } = {}): Promise<{ pid: number; close(): Promise<void> }> {
  const file = browserInfoPath(dataDir, slot);
  const first = await waitFor(() => {
    const i = readInfo(file);
    return i && i.pid !== opts.notPid ? i : null;
  }, opts.timeoutMs ?? 120_000, `a browser for slot ${slot} in ${dataDir}`);
  let current = { info: first, ...(await tapBrowser(first, via, into)) };
  let open = true;
  const follow = (async () => {
    while (open) {
      await new Promise((r) => setTimeout(r, 200));
      const info = readInfo(file);
      if (info && info.pid !== current.info.pid) {
        await current.browser.disconnect().catch(() => undefined);
        const next = await tapBrowser(info, via, into).catch(() => null);
        if (next) current = { info, ...next };
      } else {
        // A reload loses the patch (the binding stays): put it back.
        await current.page.evaluate(PATCH).catch(() => undefined);
      }
    }
  })();
  return {
    pid: first.pid,
    async close() {
      open = false;
      await follow;
      await current.browser.disconnect().catch(() => undefined);
    },
  };
}
