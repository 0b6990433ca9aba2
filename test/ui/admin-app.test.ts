// The admin app end to end: the production build (npm run test:ui builds it first) served by a
// real bridge on the demo engine, driven by Debian's Chromium through playwright-core.
// With SCREENSHOTS=1 (`npm run screenshots`) every screen is saved under test/screenshots/ in
// English and Arabic, light and dark; a plain test run leaves the tracked images alone.
// Every test starts from its own fresh bridge (own data dir) and browser context, and sets up what
// it needs itself (a connected slot, a sent message), so the tests pass in any order
// (`--sequence.shuffle`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createBridge } from '../../bridge/bridge.js';
import { loadConfig } from '../../bridge/config.js';
import type { Bridge } from '../../bridge/types.js';
import { en } from '../../renderer/src/i18n/en.js';
import { ar } from '../../renderer/src/i18n/ar.js';
import { desktopStandIn } from './kit.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = path.join(root, 'test', 'screenshots');
const RENDERER = path.join(root, 'dist', 'renderer');
const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SARAH = '447700900123@c.us';
const OMAR = '962781523783@c.us';
const MUTED = '15550123456@c.us';
const FAMILY = '120363025246125486@g.us';
// A 2×2 PNG, to send as a picture.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVQI12P8z8DwnwEJMDGgAcIMAFgUAf9ufZAyAAAAAElFTkSuQmCC', 'base64');

let dataDir: string;
let bridge: Bridge;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const measured: Record<string, number> = {};

function startBridge(port = 0): Promise<Bridge> {
  // Log at info (the Settings screen shows recent lines) into a sink, not the test output.
  const sink = { write: () => undefined };
  const b = createBridge(loadConfig({}, { port, dataDir, engine: 'demo', demoScanMs: 2500, logLevel: 'info', ratePerMinute: 1000, ratePerHour: 10000 }), { rendererDir: RENDERER, logDestination: sink });
  return b.start().then(() => b);
}

const TAKE_SCREENSHOTS = process.env.SCREENSHOTS === '1';

async function shot(p: Page, name: string, opts: { top?: boolean } = {}): Promise<void> {
  if (!TAKE_SCREENSHOTS) return;
  // Passing toasts would cover the screen: dismiss them (the close button is part of the UI).
  for (const close of await p.locator('.notices button').all()) await close.click().catch(() => undefined);
  if (opts.top) await p.evaluate('document.querySelector("main.content").scrollTo(0, 0)');
  await p.evaluate('document.fonts.ready');
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function api<T>(method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(bridge.url + route, {
    method,
    headers: { apikey: bridge.adminToken, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}

const card = (n: number) => page.locator(`[data-testid=slot-card][data-slot="${n}"]`);
const bubble = (text: string) => page.locator('[data-testid=message]', { hasText: text });

/** A new tab that is already signed in (the token in session storage, as after sign-in). */
async function signedInPage(ctx: BrowserContext, lang?: 'en' | 'ar'): Promise<Page> {
  const p = await ctx.newPage();
  // A script string: this file is type-checked without the DOM library.
  await p.addInitScript({
    content:
      `sessionStorage.setItem('waBridge.adminToken', ${JSON.stringify(bridge.adminToken)});` +
      (lang ? `localStorage.setItem('waBridge.lang', ${JSON.stringify(lang)});` : ''),
  });
  return p;
}

/** Connect a slot through the API and wait until it is READY (the demo engine scans its QR). */
async function connected(slot: number): Promise<void> {
  await api('POST', '/api/connect', { slot });
  await expect.poll(async () => (await api<{ slot: number; ready: boolean }[]>('GET', '/api/slots')).find((s) => s.slot === slot)?.ready, { timeout: 20_000 }).toBe(true);
}

/** A message in the archive (sent through the API; the demo engine echoes it back). */
async function sent(chatId: string, message: string): Promise<void> {
  const r = await api<{ success: boolean }>('POST', '/api/send', { slot: 1, chatId, message });
  expect(r.success).toBe(true);
}

/** The signed-in tab of this test, opened on a screen. */
async function open(route: string): Promise<Page> {
  page = await signedInPage(context);
  await page.goto(bridge.url + '/#/' + route);
  return page;
}

/** The ack values a message's ticks go through, until `last` (or a timeout). */
async function watchAcks(text: string, last: number, ms = 8000): Promise<number[]> {
  const seen: number[] = [];
  const end = Date.now() + ms;
  const ticks = page.locator('[data-testid=message][data-from-me="1"]', { hasText: text }).last().locator('[data-testid=ticks]');
  while (Date.now() < end) {
    const v = Number(await ticks.getAttribute('data-ack', { timeout: 2000 }).catch(() => NaN));
    if (Number.isFinite(v) && seen[seen.length - 1] !== v) seen.push(v);
    if (v === last) break;
    await page.waitForTimeout(40);
  }
  return seen;
}

/** Submit a search until the archive (written in batches) has the rows. */
async function search(query: string, expectText: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await page.fill('[data-testid=search-input]', query);
    await page.click('[data-testid=search-submit]');
    await page.waitForSelector('[data-testid=search-results] >> [data-testid=search-result], [data-testid=no-results]');
    if ((await page.locator('[data-testid=search-result]', { hasText: expectText }).count()) > 0) return;
    await page.waitForTimeout(300);
    // Force a fresh query (same hash = no navigation).
    await page.evaluate('location.hash = "#/search"');
  }
  throw new Error(`no search result for ${query}`);
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(RENDERER, 'index.html'))) throw new Error('dist/renderer is not built: run `npm run test:ui` (it builds first) or `npx vite build`');
  if (TAKE_SCREENSHOTS) fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
});

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-bridge-ui-'));
  bridge = await startBridge();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light', timezoneId: 'Asia/Amman' });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
});

afterEach(async () => {
  await context?.close();
  await bridge?.stop().catch(() => undefined);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

afterAll(async () => {
  await browser?.close();
  if (Object.keys(measured).length) console.log('[ui] measured', JSON.stringify(measured));
});

describe('admin app on a demo bridge', () => {
  it('signs in with the admin token; a wrong token is refused in words', async () => {
    await page.goto(bridge.url);
    await page.waitForSelector('[data-testid=signin-form]');
    await shot(page, 'en-signin');
    await page.fill('[data-testid=token-input]', 'not-the-admin-token-at-all');
    await page.click('[data-testid=signin-submit]');
    await expect.poll(() => page.locator('[data-testid=signin-error]').textContent()).toContain(en.errUNAUTHORIZED);

    await page.fill('[data-testid=token-input]', bridge.adminToken);
    await page.click('[data-testid=signin-submit]');
    await expect.poll(() => page.locator('[data-testid=slot-card]').count()).toBe(6);
    expect(page.url()).not.toContain(bridge.adminToken);
    // Exchanged for an HttpOnly cookie: nothing the page's scripts can read keeps it.
    expect(await page.evaluate('sessionStorage.getItem("waBridge.adminToken")')).toBeNull();
    expect(await page.evaluate('document.cookie')).not.toContain('wab_session');
    expect(await page.locator('[data-testid=demo-badge]').textContent()).toBe(en.demoBadge);
    expect(await page.getAttribute('html', 'dir')).toBe('ltr');
  });

  it('connects a slot: the live QR with a countdown, then READY with its number', async () => {
    await open('slots');
    await card(1).locator('[data-testid=slot-connect]').click();
    const qr = card(1).locator('[data-testid=slot-qr] img');
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await expect.poll(() => card(1).locator('[data-testid=qr-countdown]').textContent()).toMatch(/Expires in \d+ s/);
    expect(await card(1).getAttribute('data-state')).toBe('QR');
    await shot(page, 'en-slots-qr');
    await page.locator('[data-testid=slot-card][data-slot="1"][data-state=READY]').waitFor({ timeout: 15_000 });
    expect(await card(1).locator('[data-testid=slot-phone]').textContent()).toBe('+15550000001');
    expect(await card(1).locator('[data-testid=slot-state]').textContent()).toBe(en.stateREADY);
  });

  it('logs a slot out only after confirming', async () => {
    await open('slots');
    await card(2).locator('[data-testid=slot-connect]').click();
    await page.locator('[data-testid=slot-card][data-slot="2"][data-state=READY]').waitFor({ timeout: 15_000 });
    await card(2).locator('[data-testid=slot-logout]').click();
    const dialog = page.locator('[data-testid=confirm-dialog][open]');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(en.logoutConfirmBody);
    await dialog.getByText(en.cancel).click();
    expect(await card(2).getAttribute('data-state')).toBe('READY');
    await card(2).locator('[data-testid=slot-logout]').click();
    await page.locator('[data-testid=confirm-yes]').click();
    await page.locator('[data-testid=slot-card][data-slot="2"][data-state=STOPPED]').waitFor({ timeout: 10_000 });
    // Start slot 3 so the grid shows a QR next to a ready slot.
    await card(3).locator('[data-testid=slot-connect]').click();
    await card(3).locator('[data-testid=slot-qr] img').waitFor();
    await shot(page, 'en-slots');
  });

  // How fast it paints is measured (printed below as [ui] measured), not asserted: speed belongs to benches.
  it('paints the slot grid with all 6 slots', async () => {
    const p = await signedInPage(context);
    await p.goto(bridge.url + '/#/slots');
    await p.waitForFunction('document.querySelectorAll("[data-testid=slot-card]").length === 6');
    const ms = Number(await p.evaluate('performance.now()'));
    const fcp = Number(await p.evaluate('performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1'));
    measured.slotGridMs = Math.round(ms);
    measured.firstContentfulPaintMs = Math.round(fcp);
    await p.close();
  });

  it('lists chats with unread badges and the muted icon; opening a chat marks it read', async () => {
    await connected(1);
    await open('slots');
    await page.click('[data-testid=nav-chats]');
    await expect.poll(() => page.locator('[data-testid=chat-item]').count()).toBe(4);
    const omar = page.locator(`[data-testid=chat-item][data-chat-id="${OMAR}"]`);
    expect(await omar.locator('[data-testid=unread-badge]').textContent()).toBe('1');
    expect(await page.locator(`[data-chat-id="${MUTED}"] [data-testid=muted-icon]`).count()).toBe(1);
    expect(await page.locator(`[data-chat-id="${SARAH}"] [data-testid=muted-icon]`).count()).toBe(0);

    await page.fill('[data-testid=chat-search]', 'sara');
    await expect.poll(() => page.locator('[data-testid=chat-item]').count()).toBe(1);
    await page.fill('[data-testid=chat-search]', '9627815');
    await expect.poll(() => page.locator('[data-testid=chat-item]').getAttribute('data-chat-id')).toBe(OMAR);
    await page.fill('[data-testid=chat-search]', '');

    await omar.click();
    await page.locator(`[data-testid=thread][data-chat-id="${OMAR}"]`).waitFor();
    expect(await omar.locator('[data-testid=unread-badge]').count()).toBe(0);
    await expect
      .poll(async () => (await api<{ data: { chatId: string; unreadCount: number }[] }>('GET', '/api/chats?slot=1')).data.find((c) => c.chatId === OMAR)?.unreadCount)
      .toBe(0);
  });

  it('sends a text with Enter, the ticks advance, and the echo arrives live', async () => {
    await connected(1);
    await open('chats');
    await page.click(`[data-testid=chat-item][data-chat-id="${SARAH}"]`);
    await page.locator(`[data-testid=thread][data-chat-id="${SARAH}"]`).waitFor();
    await page.fill('[data-testid=compose]', 'Hello from the admin app');
    await page.press('[data-testid=compose]', 'Enter');
    expect(await page.inputValue('[data-testid=compose]')).toBe('');
    const acks = await watchAcks('Hello from the admin app', 4);
    expect(acks[acks.length - 1]).toBe(4);
    expect(acks[0]).toBeLessThanOrEqual(2);
    expect(acks.length).toBeGreaterThanOrEqual(2);
    expect([...acks].sort()).toEqual(acks);
    await bubble('Echo: Hello from the admin app').waitFor({ timeout: 8000 });
    expect(await bubble('Echo: Hello from the admin app').getAttribute('data-from-me')).toBe('0');
    // The chat list follows live too.
    await expect.poll(() => page.locator(`[data-chat-id="${SARAH}"] .chat-preview`).textContent()).toBe('Echo: Hello from the admin app');
  });

  it('sends a poll and shows the vote as it arrives', async () => {
    await connected(1);
    await open(`chats?slot=1&chat=${encodeURIComponent(SARAH)}`);
    await page.locator(`[data-testid=thread][data-chat-id="${SARAH}"]`).waitFor();
    await page.click('[data-testid=poll-open]');
    await page.locator('[data-testid=poll-dialog]').waitFor();
    await page.click('[data-testid=poll-send]');
    expect(await page.locator('[data-testid=poll-dialog] [role=alert]').textContent()).toBe(en.pollNeedsOptions);
    await page.fill('[data-testid=poll-question]', 'Which language for the backend?');
    await page.click('[data-testid=poll-add-option]');
    const inputs = page.locator('[data-testid=poll-option-input]');
    await inputs.nth(0).fill('Node.js');
    await inputs.nth(1).fill('Python');
    await inputs.nth(2).fill('Golang');
    await page.click('[data-testid=poll-send]');
    const poll = bubble('Which language for the backend?').locator('[data-testid=poll]');
    await poll.waitFor();
    await expect.poll(() => poll.locator('[data-option="Node.js"]').getAttribute('data-count'), { timeout: 8000 }).toBe('1');
    expect(await poll.locator('[data-option="Python"]').getAttribute('data-count')).toBe('0');
    expect(await poll.locator('[data-testid=poll-voters]').textContent()).toBe(en.vote1);
  });

  it('sends a picture from the file picker and shows its thumbnail', async () => {
    await connected(1);
    await open(`chats?slot=1&chat=${encodeURIComponent(SARAH)}`);
    await page.locator(`[data-testid=thread][data-chat-id="${SARAH}"]`).waitFor();
    await page.setInputFiles('[data-testid=file-input]', { name: 'shelf.png', mimeType: 'image/png', buffer: PNG });
    await page.locator('[data-testid=attachment]').waitFor();
    await page.fill('[data-testid=compose]', 'The new shelf');
    await page.click('[data-testid=send]');
    const sent = bubble('The new shelf');
    await sent.locator('[data-testid=media-thumb]').waitFor();
    expect(await sent.getAttribute('data-type')).toBe('image');
    await expect.poll(() => sent.locator('[data-testid=ticks]').getAttribute('data-ack'), { timeout: 8000 }).toBe('4');
    await shot(page, 'en-chats');
  });

  it('searches the archive in English and Arabic and jumps to the message', async () => {
    await connected(1);
    await sent(SARAH, 'Hello from the admin app');
    await open('chats?slot=1');
    // An Arabic message with harakat, so the search must fold them.
    await page.click(`[data-testid=chat-item][data-chat-id="${OMAR}"]`);
    // Wait for Omar's thread: typing into the previous chat's composer while it switches loses the text.
    await page.locator(`[data-testid=thread][data-chat-id="${OMAR}"]`).waitFor();
    await page.fill('[data-testid=compose]', 'الطَّلَبُ جاهزٌ للاستلام');
    await page.press('[data-testid=compose]', 'Enter');
    await bubble('Echo: الطَّلَبُ').waitFor({ timeout: 8000 });

    await page.click('[data-testid=nav-search]');
    await search('الطلب', 'الطَّلَبُ');
    const marks = await page.locator('[data-testid=search-result] mark').allTextContents();
    expect(marks).toContain('الطَّلَبُ');

    await search('hello admin', 'Hello from the admin app');
    const hit = page.locator('[data-testid=search-result]', { hasText: 'Hello from the admin app' }).first();
    expect(await hit.locator('mark').allTextContents()).toEqual(expect.arrayContaining(['Hello', 'admin']));
    await shot(page, 'en-search');
    const id = await hit.getAttribute('data-message-id');
    await hit.click();
    await page.locator(`[data-testid=thread][data-chat-id="${SARAH}"]`).waitFor();
    await page.locator(`[data-testid=message][data-message-id="${id}"].flash`).waitFor();
  });

  it('loads more search results as the owner scrolls', async () => {
    await connected(1);
    await open('slots');
    for (let i = 1; i <= 40; i++) await sent(FAMILY, `inventory batch ${i}`);
    await page.click('[data-testid=nav-search]');
    await page.selectOption('[data-testid=search-slot]', '1');
    await search('inventory', 'inventory batch');
    // The archive writes in batches: wait until the first page is full.
    await expect
      .poll(async () => (await api<{ data: unknown[] }>('GET', '/api/archive/search?slot=1&query=inventory&limit=100')).data.length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(40);
    await page.evaluate('location.hash = "#/search"');
    await search('inventory', 'inventory batch');
    expect(await page.locator('[data-testid=search-result]').count()).toBe(30);
    // Scrolled to the end (again on each look, as a person keeps scrolling): the next page comes.
    await expect
      .poll(async () => {
        await page.locator('.sentinel').scrollIntoViewIfNeeded();
        return page.locator('[data-testid=search-result]').count();
      }, { timeout: 15_000 })
      .toBeGreaterThan(30);
  });

  it('lets the owner pick among several LAN addresses', async () => {
    await open('slots');
    // This machine has one LAN interface: add a second one to the bridge's real answer.
    await page.route('**/api/pairing', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { addresses: { name: string; address: string; url: string }[]; port: number };
      body.addresses.push({ name: 'wlan0', address: '10.0.0.7', url: `http://10.0.0.7:${body.port}` });
      await route.fulfill({ response: res, json: body });
    });
    await page.click('[data-testid=nav-phones]');
    await expect.poll(() => page.locator('[data-testid=lan-choice]').count()).toBe(2);
    await page.locator('[data-testid=lan-choice]').nth(1).check();
    await page.fill('[data-testid=device-name]', 'Warehouse tablet');
    await page.click('[data-testid=pair-submit]');
    const dialog = page.locator('[data-testid=pair-dialog]');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('http://10.0.0.7:');
    await page.click('[data-testid=pair-done]');
    await page.unroute('**/api/pairing');
    const devices = (await api<{ data: { deviceId: string; name: string }[] }>('GET', '/api/devices')).data;
    expect(devices.map((d) => d.name)).toEqual(['Warehouse tablet']);
    await api('DELETE', `/api/devices/${devices[0]!.deviceId}`);
    await page.click('[data-testid=nav-slots]');
    await page.click('[data-testid=nav-phones]');
    await page.locator('[data-testid=no-devices]').waitFor();
  });

  it('pairs a phone with a QR of the LAN address and revokes it', async () => {
    await open('slots');
    await page.click('[data-testid=nav-phones]');
    await page.locator('[data-testid=pair-form]').waitFor();
    expect(await page.locator('[data-testid=no-devices]').textContent()).toBe(en.noDevices);
    const pairing = await api<{ addresses: { url: string }[] }>('GET', '/api/pairing');
    expect(pairing.addresses.length).toBeGreaterThan(0);
    await page.fill('[data-testid=device-name]', 'Sara’s phone');
    // Scope: read only, slot 2 only.
    await page.check('[data-testid=pair-role-read]');
    await page.uncheck('[data-testid=pair-all-slots]');
    expect(await page.locator('[data-testid=pair-submit]').isDisabled()).toBe(true); // no slot chosen yet
    await page.locator('[data-testid=pair-slot]').nth(1).check();
    await page.click('[data-testid=pair-submit]');
    const dialog = page.locator('[data-testid=pair-dialog]');
    await dialog.waitFor();
    expect(await dialog.locator('[data-testid=pair-qr]').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect((await api<{ data: { role: string; slots: number[] | null }[] }>('GET', '/api/devices')).data).toEqual([expect.objectContaining({ role: 'read', slots: [2] })]);
    expect(await dialog.textContent()).toContain(pairing.addresses[0]!.url);
    await shot(page, 'en-phones-pair');
    await page.click('[data-testid=pair-done]');
    await expect.poll(() => page.locator('[data-testid=device]').count()).toBe(1);
    expect(await page.locator('[data-testid=device]').textContent()).toContain(en.neverSeen);
    expect(await page.locator('[data-testid=device-scope]').textContent()).toBe(`${en.roleShortRead} · ${en.scopeSlots.replace('{slots}', '2')}`);
    await shot(page, 'en-phones');

    await page.click('[data-testid=device-revoke]');
    await page.click('[data-testid=confirm-yes]');
    await page.locator('[data-testid=no-devices]').waitFor();
    expect((await api<{ data: unknown[] }>('GET', '/api/devices')).data).toEqual([]);
  });

  it('shows health, settings (restart notice, database test) and the log', async () => {
    await open('slots');
    await page.click('[data-testid=nav-settings]');
    await page.locator('[data-testid=health-overall]').waitFor();
    expect(await page.locator('[data-testid=archive-health]').textContent()).toContain('sqlite');
    await page.locator('[data-testid=logs] li').first().waitFor();

    await page.fill('[data-testid=setting-ratePerMinute]', '25');
    await page.click('[data-testid=settings-save]');
    await page.locator('[data-testid=restart-note]').waitFor();
    expect(await page.locator('[data-testid=restart-note]').textContent()).toContain(en.perMinute);
    expect((await api<{ data: { ratePerMinute: number } }>('GET', '/api/settings')).data.ratePerMinute).toBe(25);

    await page.fill('[data-testid=setting-slots]', '99');
    await page.click('[data-testid=settings-save]');
    expect(await page.locator('[data-testid=settings-form] [role=alert]').textContent()).toContain(en.slotCount);

    // Saved with SQLite chosen: this test's bridge must never point at the shared `test` database.
    await page.click('[data-testid=db-sqlite]');
    await page.fill('[data-testid=setting-slots]', '6');
    await page.click('[data-testid=settings-save]');
    await expect.poll(() => page.locator('[data-testid=settings-form] [role=alert]').count()).toBe(0);
    await shot(page, 'en-settings', { top: true });
  });

  it('is keyboard reachable', async () => {
    await open('slots');
    await page.click('[data-testid=nav-slots]');
    await page.locator('[data-testid=slot-grid]').waitFor();
    await page.locator('[data-testid=lang-switch]').focus();
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      order.push(String(await page.evaluate('document.activeElement?.getAttribute("data-testid")')));
    }
    expect(order).toEqual(expect.arrayContaining(['nav-slots', 'nav-chats', 'nav-search']));
    while (String(await page.evaluate('document.activeElement?.getAttribute("data-testid")')) !== 'nav-search') await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=search-input]').waitFor();
  });

  it('switches to Arabic with a right-to-left layout on every screen', async () => {
    await connected(1);
    await sent(OMAR, 'الطَّلَبُ جاهزٌ للاستلام');
    await open('slots');
    await card(1).locator('[data-testid=slot-state]').waitFor();
    await page.click('[data-testid=nav-slots]');
    await page.click('[data-testid=lang-switch]');
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    expect(await page.getAttribute('html', 'lang')).toBe('ar');
    expect(await card(1).locator('[data-testid=slot-state]').textContent()).toBe(ar.stateREADY);
    await card(4).locator('[data-testid=slot-connect]').click();
    await card(4).locator('[data-testid=slot-qr] img').waitFor();
    await shot(page, 'ar-slots');

    await page.click('[data-testid=nav-chats]');
    await page.click(`[data-testid=chat-item][data-chat-id="${OMAR}"]`);
    await page.locator(`[data-testid=thread][data-chat-id="${OMAR}"]`).waitFor();
    await page.fill('[data-testid=compose]', 'شكراً، سأمرّ غداً');
    await page.press('[data-testid=compose]', 'Enter');
    await bubble('Echo: شكراً').waitFor({ timeout: 8000 });
    // Outgoing bubbles sit on the left in RTL.
    const out = await bubble('شكراً، سأمرّ غداً').first().locator('.bubble').boundingBox();
    const inc = await bubble('Echo: شكراً').locator('.bubble').boundingBox();
    expect(out!.x).toBeLessThan(inc!.x);
    await shot(page, 'ar-chats');

    await page.click('[data-testid=nav-search]');
    await search('جاهز', 'الطَّلَبُ');
    await shot(page, 'ar-search');

    await page.click('[data-testid=nav-phones]');
    await page.fill('[data-testid=device-name]', 'هاتف المكتب');
    await page.click('[data-testid=pair-submit]');
    await page.locator('[data-testid=pair-dialog]').waitFor();
    await shot(page, 'ar-phones-pair');
    await page.click('[data-testid=pair-done]');
    await page.locator('[data-testid=device]').waitFor();
    await shot(page, 'ar-phones');

    await page.click('[data-testid=nav-settings]');
    await page.locator('[data-testid=logs] li').first().waitFor();
    await shot(page, 'ar-settings', { top: true });

    await page.click('[data-testid=sign-out]');
    await page.locator('[data-testid=signin-form]').waitFor();
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    await shot(page, 'ar-signin');
  });

  it('follows a dark system theme, in both languages', async () => {
    await connected(1);
    await api('POST', '/api/send-poll', { slot: 1, chatId: SARAH, question: 'Which language for the backend?', options: ['Node.js', 'Python'] });
    const dark = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark', timezoneId: 'Asia/Amman' });
    for (const lang of ['en', 'ar'] as const) {
      const p = await signedInPage(dark, lang);
      await p.goto(bridge.url + '/#/slots');
      await p.locator('[data-testid=slot-card][data-slot="1"][data-state=READY]').waitFor();
      const bg = String(await p.evaluate('getComputedStyle(document.body).backgroundColor'));
      expect(bg).toBe('rgb(11, 20, 26)');
      await shot(p, `${lang}-dark-slots`);
      await p.goto(bridge.url + `/#/chats?slot=1&chat=${encodeURIComponent(SARAH)}`);
      await p.locator('[data-testid=poll]').waitFor();
      await p.locator('[data-testid=message]').last().waitFor();
      await shot(p, `${lang}-dark-chats`);
      await p.close();
    }
    await dark.close();
  });

  it('keeps every screen within a 1024×640 window', async () => {
    await connected(1);
    await api('POST', '/api/send-poll', { slot: 1, chatId: SARAH, question: 'Which language for the backend?', options: ['Node.js', 'Python'] });
    const small = await browser.newContext({ viewport: { width: 1024, height: 640 }, colorScheme: 'light', timezoneId: 'Asia/Amman' });
    for (const lang of ['en', 'ar'] as const) {
      const p = await signedInPage(small, lang);
      for (const screen of ['slots', `chats?slot=1&chat=${encodeURIComponent(SARAH)}`, 'search?q=hello', 'phones', 'settings']) {
        await p.goto(bridge.url + `/#/${screen}`);
        await p.locator('main.content > *:not(.boot)').first().waitFor();
        await p.waitForTimeout(150);
        const overflow = await p.evaluate(
          '[document.documentElement, document.querySelector("main.content")].map((el) => el.scrollWidth - el.clientWidth)',
        );
        expect(overflow, `${lang} ${screen}`).toEqual([0, 0]);
      }
      await p.goto(bridge.url + `/#/chats?slot=1&chat=${encodeURIComponent(SARAH)}`);
      await p.locator('[data-testid=poll]').waitFor();
      await shot(p, `${lang}-1024x640-chats`);
      await p.close();
    }
    await small.close();
  });

  it('is signed in by the Electron shell: no sign-in step, no token in the page', async () => {
    const p = await context.newPage();
    await context.clearCookies();
    // The stand-in does what the main process does (electron/desktop-session.ts): the cookie lands in the jar.
    await p.addInitScript({ content: desktopStandIn(bridge.adminToken, { members: "secretStorageBackend: async () => 'basic_text'," }) });
    await p.goto(bridge.url + '/#/slots');
    await expect.poll(() => p.locator('[data-testid=slot-card]').count()).toBe(6);
    expect(await p.locator('[data-testid=signin-form]').count()).toBe(0);
    expect(await p.locator('[data-testid=sign-out]').count()).toBe(0);
    expect(await p.evaluate('sessionStorage.getItem("waBridge.adminToken")')).toBeNull();
    await p.close();
  });

  it('shows a banner when the bridge goes away and reconnects by itself', async () => {
    await connected(1);
    const p = await signedInPage(context, 'en');
    await p.goto(bridge.url + '/#/slots');
    await p.locator('[data-testid=slot-grid]').waitFor();
    const port = bridge.port;
    await bridge.stop();
    const banner = p.locator('[data-testid=link-banner]');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.textContent()).toContain(en.linkLost);
    await shot(p, 'en-connection-lost');
    bridge = await startBridge(port);
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    // The grid reloaded from the new bridge: slot 1 comes back on its saved session.
    await p.locator('[data-testid=slot-card][data-slot="1"][data-state=READY]').waitFor({ timeout: 15_000 });
    await p.close();
  });
});
