// The test's hand on the simulated phone and server: a second CDP client on the slot's browser
// that calls the simulator page's control functions (window.__waSim, see page/control.js).
import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const SIM_ORIGIN = 'https://web.whatsapp.com';

export interface SimState {
  socketState: string;
  hasSynced: boolean;
  paired: boolean;
  /** `<phone>@c.us` once paired. */
  me: string | null;
  /** The string the library turns into the QR image, while one is shown. */
  qr: string | null;
  qrRefreshes: number;
}

export interface IncomingMessage {
  /** Sender phone digits or `…@c.us`; for a group message, the group id may go in `chatId`. */
  from: string;
  chatId?: string;
  /** The sender inside a group. */
  author?: string;
  body?: string;
  type?: 'chat' | 'image' | 'video' | 'audio' | 'ptt' | 'document' | 'sticker';
  /** `expired`: WhatsApp's servers no longer have the file (the page shows it re-uploading; downloads get nothing). */
  media?: { mimetype: string; data: string; filename?: string; expired?: boolean };
  caption?: string;
  notifyName?: string;
  quotedMessageId?: string;
  isForwarded?: boolean;
  /** Unix seconds; default now. */
  timestamp?: number;
  groupName?: string;
}

export interface ChatState {
  id: string;
  unreadCount: number;
  muteExpiration: number;
  /** How many times the client sent read receipts for this chat (sendSeen), and when last (ms). */
  seenCount: number;
  seenAt: number;
  messages: number;
}

export interface SimControl {
  readonly page: Page;
  state(): Promise<SimState>;
  /** Wait until the page shows a QR (optionally a different one than `notQr`). */
  waitForQr(opts?: { notQr?: string; timeoutMs?: number }): Promise<string>;
  waitForState(pred: (s: SimState) => boolean, timeoutMs?: number): Promise<SimState>;
  /** Replace the shown QR ref now (the library emits a new `qr`). */
  refreshQr(): Promise<string>;
  /** The phone scans the QR: pairs the page as `phone`; pass `qr` to check it is still current. */
  scanQr(opts?: { phone?: string; pushname?: string; qr?: string }): Promise<string>;
  /** Returns the serialized id (`false_<chat>_<ID>`). */
  deliverMessage(msg: IncomingMessage): Promise<string>;
  /** WhatsApp ack values: -1 error, 1 server, 2 delivered, 3 read, 4 played. */
  advanceAck(messageId: string, ack: number): Promise<number>;
  castVote(vote: { pollId: string; voter: string; selectedOptions: string[] }): Promise<string>;
  /** The sender edits a text message (the library emits message_edit). */
  editMessage(messageId: string, body: string): Promise<void>;
  /** The sender deletes a message for everyone (message_revoke_everyone). */
  revokeMessage(messageId: string): Promise<void>;
  /** Unix seconds, -1 = forever, 0 = unmute. */
  muteChat(chatId: string, expiration: number): Promise<{ isMuted: boolean; muteExpiration: number }>;
  /** `null` hides the picture (the library then answers undefined). */
  setProfilePicture(contactId: string, url: string | null): Promise<void>;
  setRegistered(phone: string, registered: boolean): Promise<void>;
  chatState(chatId: string): Promise<ChatState | null>;
  /** A message as the simulated server holds it (media bytes included as `media`). */
  getMessage(messageId: string): Promise<Record<string, unknown> | null>;
  setSocketState(state: string): Promise<void>;
  logoutFromPhone(): Promise<void>;
  /** Block the page's main thread for `ms` (getState etc. never answer meanwhile). */
  hang(ms?: number): Promise<void>;
  /** Crash the renderer (the library's page emits `error`). */
  crash(): Promise<void>;
  /** Modules the library required, and any it asked for that the simulator lacks. */
  modules(): Promise<{ required: Record<string, number>; missing: string[] }>;
  /** Drop this CDP connection (the browser keeps running). */
  disconnect(): Promise<void>;
}

async function findSimPage(browser: Browser, timeoutMs: number): Promise<Page> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const page of await browser.pages()) {
      if (!page.url().startsWith(SIM_ORIGIN)) continue;
      const ok = await page.evaluate('typeof window.__waSim === "object"').catch(() => false);
      if (ok) return page;
    }
    if (Date.now() > deadline) throw new Error(`wa-sim: no simulator page at ${SIM_ORIGIN} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Connect to a browser running the simulator (its DevTools endpoint, `ws://127.0.0.1:…`). */
export async function connectSim(wsEndpoint: string, opts: { timeoutMs?: number } = {}): Promise<SimControl> {
  if (!/^wss?:\/\//.test(wsEndpoint)) throw new Error(`wa-sim: not a DevTools WebSocket endpoint: ${wsEndpoint}`);
  const browser = await puppeteer.connect({ browserWSEndpoint: wsEndpoint, defaultViewport: null });
  let page: Page;
  try {
    page = await findSimPage(browser, opts.timeoutMs ?? 30_000);
  } catch (err) {
    await browser.disconnect();
    throw err;
  }

  // After a reload (logout) the page object stays the same but __waSim is new: wait for it.
  const call = async <T>(fn: string, ...args: unknown[]): Promise<T> => {
    await page.waitForFunction('typeof window.__waSim === "object"', { timeout: 30_000 });
    return (await page.evaluate(
      (name: string, a: unknown[]) => (globalThis as unknown as { __waSim: Record<string, (...x: unknown[]) => unknown> }).__waSim[name]!(...a),
      fn,
      args,
    )) as T;
  };

  const control: SimControl = {
    page,
    state: () => call<SimState>('state'),
    async waitForState(pred, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await control.state().catch(() => null);
        if (s && pred(s)) return s;
        if (Date.now() > deadline) throw new Error(`wa-sim: state not reached within ${timeoutMs} ms (last: ${JSON.stringify(s)})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async waitForQr({ notQr, timeoutMs } = {}) {
      const s = await control.waitForState((x) => x.qr !== null && x.qr !== notQr, timeoutMs);
      return s.qr!;
    },
    refreshQr: () => call<string>('refreshQr'),
    scanQr: (o = {}) => call<string>('scanQr', o),
    deliverMessage: (m) => call<string>('deliverMessage', m),
    advanceAck: (id, ack) => call<number>('advanceAck', id, ack),
    castVote: (v) => call<string>('castVote', v),
    editMessage: (id, body) => call('editMessage', id, body),
    revokeMessage: (id) => call('revokeMessage', id),
    muteChat: (id, exp) => call('muteChat', id, exp),
    setProfilePicture: (id, url) => call('setProfilePicture', id, url),
    setRegistered: (phone, reg) => call('setRegistered', phone, reg),
    chatState: (id) => call('chatState', id),
    getMessage: (id) => call('getMessage', id),
    setSocketState: (s) => call('setSocketState', s),
    logoutFromPhone: () => call('logoutFromPhone'),
    hang: (ms) => call('hang', ms ?? 30_000),
    async crash() {
      const cdp = await page.createCDPSession();
      // Page.crash never answers (the renderer is gone): do not wait on it.
      cdp.send('Page.crash').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    },
    modules: () => call('modules'),
    async disconnect() {
      await browser.disconnect();
    },
  };
  return control;
}

/** What the bridge's engine writes next to a slot's browser: `<dataDir>/slots/slot-<N>/browser.json`. */
export function browserInfoPath(dataDir: string, slot: number): string {
  return path.join(dataDir, 'slots', `slot-${slot}`, 'browser.json');
}

/** Connect to the simulator in a bridge slot's browser (waits for browser.json to appear). */
export async function simForSlot(dataDir: string, slot: number, opts: { timeoutMs?: number } = {}): Promise<SimControl> {
  if (!Number.isInteger(slot) || slot < 1) throw new Error(`wa-sim: bad slot ${slot}`);
  const file = browserInfoPath(dataDir, slot);
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    try {
      const info = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number; wsEndpoint?: string };
      if (typeof info.wsEndpoint === 'string') return await connectSim(info.wsEndpoint, opts);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`wa-sim: ${file} not usable: ${(err as Error).message}`);
    }
    if (Date.now() > deadline) throw new Error(`wa-sim: ${file} has no wsEndpoint`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
