// Issue 16, knowing what happens: Settings tell the truth (the database test is "save, then
// test": the bridge only tests a saved server and the app shows its words, not a generic error);
// the Phones page warns about a loopback-only bridge and names the address a phone can reach;
// the Logs screen explains (requests, lifecycle, pairing) with filters and a live tail; search
// results name the chat and the customer, show file names, and sort newest first by default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { en } from '../../renderer/src/i18n/en.js';
import { startUi, type UiKit } from './kit.js';

let kit: UiKit;
let page: Page;

type SettingsReply = { data: { dbUrl: string | null }; restartRequired: string[] };

beforeAll(async () => {
  kit = await startUi({ slots: 1 });
  page = await kit.page({ lang: 'en' });
});

afterAll(async () => {
  await kit?.close();
});

describe('database settings', () => {
  it('offers "Save and test" for a server the bridge refuses to test unsaved, and shows its words', async () => {
    await page.goto(`${kit.bridge.url}/#/settings`);
    await page.click('[data-testid=db-mysql]');

    // Not a URL: the bridge's reason, and nothing to save.
    await page.fill('[data-testid=db-url]', 'mysql://[nope');
    await page.click('[data-testid=db-test]');
    await page.locator('[data-testid=db-test-refused]').waitFor();
    expect(await page.locator('[data-testid=db-test-refused]').textContent()).toContain(en.dbTestRefused);
    expect(await page.locator('[data-testid=db-test-refused-reason]').textContent()).toContain('not a valid URL');
    expect(await page.locator('[data-testid=db-save-test]').count()).toBe(0);

    // A server that is not saved: refused, in words, with the way forward.
    await page.fill('[data-testid=db-url]', 'mysql://root@127.0.0.1:1/test');
    expect(await page.locator('[data-testid=db-test-refused]').count()).toBe(0);
    await page.click('[data-testid=db-test]');
    await page.locator('[data-testid=db-save-test]').waitFor();
    expect(await page.locator('[data-testid=db-test-refused]').textContent()).toContain(en.dbSaveFirst);
    expect(await page.locator('[data-testid=db-test-refused-reason]').textContent()).toContain('save 127.0.0.1:1 in the settings first');
    expect((await kit.api<SettingsReply>('GET', '/api/settings')).data.dbUrl).toBeNull();

    // Save and test: saved (a restart applies it), then tested, with the connection's own error.
    await page.click('[data-testid=db-save-test]');
    await expect.poll(() => page.locator('[data-testid=db-test-result]').textContent(), { timeout: 15_000 }).toContain('Could not connect');
    expect(await page.locator('[data-testid=db-test-refused]').count()).toBe(0);
    const saved = await kit.api<SettingsReply>('GET', '/api/settings');
    expect(saved.data.dbUrl).toBe('mysql://root@127.0.0.1:1/test');
    expect(saved.restartRequired).toContain('dbUrl');
    await page.locator('[data-testid=restart-hint-dbUrl]').waitFor();

    // Another server: refused again until saved; then it connects.
    await page.fill('[data-testid=db-url]', 'mysql://root@127.0.0.1:3306/test');
    await page.click('[data-testid=db-test]');
    await page.click('[data-testid=db-save-test]');
    await expect.poll(() => page.locator('[data-testid=db-test-result]').textContent(), { timeout: 15_000 }).toBe(en.dbOk);
    // The same server again needs no saving.
    await page.click('[data-testid=db-test]');
    await expect.poll(() => page.locator('[data-testid=db-test-result]').textContent(), { timeout: 15_000 }).toBe(en.dbOk);

    // Back to SQLite: nothing of the MySQL choice is kept.
    await page.click('[data-testid=db-sqlite]');
    await page.click('[data-testid=settings-save]');
    await expect.poll(async () => (await kit.api<SettingsReply>('GET', '/api/settings')).data.dbUrl).toBeNull();
  });
});

describe('phones page', () => {
  it('warns that a bridge on 127.0.0.1 cannot be reached by phones', async () => {
    await page.goto(`${kit.bridge.url}/#/phones`);
    const warning = page.locator('[data-testid=loopback-warning]');
    await warning.waitFor();
    expect(await warning.textContent()).toContain(en.loopbackTitle);
    expect(await warning.textContent()).toContain('127.0.0.1');
    expect(await page.locator('[data-testid=reachable-address]').count()).toBe(0);
  });

  it('offers the address a phone can really reach first, and marks the others', async () => {
    const p = await kit.page({ lang: 'en' });
    await p.route('**/api/pairing', async (route) => {
      const body = {
        success: true,
        port: 3001,
        host: '10.0.0.7',
        loopbackOnly: false,
        addresses: [
          { name: 'eth0', address: '192.168.1.20', url: 'https://192.168.1.20:3001', reachable: false },
          { name: 'wlan0', address: '10.0.0.7', url: 'https://10.0.0.7:3001', reachable: true },
        ],
      };
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    });
    await p.goto(`${kit.bridge.url}/#/phones`);
    await p.locator('[data-testid=reachable-address]').waitFor();
    expect(await p.locator('[data-testid=reachable-address]').textContent()).toContain('https://10.0.0.7:3001');
    expect(await p.locator('[data-testid=loopback-warning]').count()).toBe(0);
    expect(await p.locator('[data-testid=lan-choice]:checked').getAttribute('value')).toBe('https://10.0.0.7:3001');
    expect(await p.locator('[data-testid=lan-unreachable]').count()).toBe(1);
    await p.close();
  });
});

describe('logs screen', () => {
  it('shows request and lifecycle lines, filters them, and tails new lines live', async () => {
    await kit.connect(1);
    await page.goto(`${kit.bridge.url}/#/logs`);
    await page.locator('[data-testid=log-line]').first().waitFor();
    const texts = () => page.locator('[data-testid=log-line]').allTextContents();
    await expect.poll(async () => (await texts()).some((t) => /GET \/api\/slots → 200 · [\d.]+ ms/.test(t))).toBe(true);

    await page.selectOption('[data-testid=logs-kind]', 'lifecycle');
    await page.selectOption('[data-testid=logs-slot]', '1');
    await expect.poll(async () => (await texts()).length > 0 && (await page.locator('[data-testid=log-line]:not([data-kind=lifecycle])').count()) === 0).toBe(true);
    expect((await texts()).join('\n')).toContain('slot ready');

    // Live: a phone paired now shows up without a reload.
    await page.selectOption('[data-testid=logs-slot]', '');
    await page.selectOption('[data-testid=logs-kind]', 'pairing');
    await page.locator('[data-testid=logs-empty]').waitFor();
    await kit.api('POST', '/api/devices', { name: 'Counter phone' });
    await expect.poll(async () => (await texts()).join('\n'), { timeout: 15_000 }).toContain('phone paired');

    // Level: warnings and errors only.
    await page.selectOption('[data-testid=logs-kind]', '');
    await page.selectOption('[data-testid=logs-level]', 'warn');
    await expect.poll(() => page.locator('[data-testid=log-line][data-level=info]').count()).toBe(0);
  });
});

describe('search results', () => {
  it('name the chat and the customer, show a document’s file name, newest first with relevance as an option', async () => {
    await kit.connect(1);
    const SARAH = '447700900123@c.us';
    const OMAR = '962781523783@c.us';
    const PDF = Buffer.from('%PDF-1.4\n% parcel\n').toString('base64');
    // Relevance would put the short, repeated one first; it is the oldest.
    await kit.api('POST', '/api/send', { slot: 1, chatId: OMAR, message: 'parcel parcel parcel' });
    await kit.api('POST', '/api/send-media', { slot: 1, chatId: SARAH, base64: PDF, mimetype: 'application/pdf', filename: 'parcel-invoice.pdf', caption: 'the parcel invoice and a few more words about it' });
    // The demo echoes each text back: hits from the customers.
    await kit.api('POST', '/api/send', { slot: 1, chatId: SARAH, message: 'your parcel left today, more words so it ranks lower' });
    await expect
      .poll(async () => (await kit.api<{ data: unknown[] }>('GET', '/api/archive/search?slot=1&query=parcel')).data.length, { timeout: 15_000 })
      .toBe(5);

    await page.goto(`${kit.bridge.url}/#/search?q=parcel`);
    await expect.poll(() => page.locator('[data-testid=search-result]').count()).toBe(5);
    const heads = await page.locator('[data-testid=search-result] .result-head').allTextContents();
    // Newest first: Sarah's echo on top, the owner's first message to Omar at the bottom.
    expect(heads[0]).toContain('Sarah Jones');
    expect(heads[0]).not.toContain(en.you);
    expect(await page.locator('[data-testid=search-result]').last().locator('[data-testid=result-chat]').textContent()).toBe('Omar Haddad');
    expect(await page.locator('[data-testid=search-result]').last().locator('[data-testid=result-who]').textContent()).toBe(en.you);
    const doc = page.locator('[data-testid=search-result]', { has: page.locator('[data-testid=result-file]') });
    expect(await doc.count()).toBe(1);
    expect(await doc.locator('[data-testid=result-file]').textContent()).toContain('parcel-invoice.pdf');
    expect(await doc.locator('[data-testid=result-chat]').textContent()).toBe('Sarah Jones');

    await page.selectOption('[data-testid=search-order]', 'relevance');
    await expect.poll(() => page.url()).toContain('order=relevance');
    await expect.poll(async () => (await page.locator('[data-testid=search-result] .result-body').first().textContent()) ?? '').toBe('parcel parcel parcel');
  });
});

describe('settings that tell the truth', () => {
  let own: UiKit;
  beforeAll(async () => {
    // Six slots by default (no override): the saved slot count applies after a restart.
    own = await startUi({}, undefined, { env: { WA_BRIDGE_RATE_PER_DAY: '5000' }, restartable: true });
  });
  afterAll(async () => {
    await own?.close();
  });

  it('shows an env-set value as locked, lists changes waiting for a restart, and restarts the bridge', async () => {
    const p = await own.page({ lang: 'en' });
    await p.goto(`${own.bridge.url}/#/settings`);
    await p.locator('[data-testid=locked-ratePerDay]').waitFor();
    expect(await p.locator('[data-testid=locked-ratePerDay]').textContent()).toContain('WA_BRIDGE_RATE_PER_DAY');
    expect(await p.locator('[data-testid=setting-ratePerDay]').isDisabled()).toBe(true);
    expect(await p.locator('[data-testid=setting-ratePerDay]').inputValue()).toBe('5000');
    expect(await p.locator('[data-testid=restart-list]').count()).toBe(0);

    await p.fill('[data-testid=setting-slots]', '2');
    await p.click('[data-testid=settings-save]');
    await p.locator('[data-testid=restart-list]').waitFor();
    expect(await p.locator('[data-testid=restart-list]').textContent()).toContain(en.slotCount);

    await p.click('[data-testid=restart-bridge]');
    await p.click('[data-testid=confirm-yes]');
    // The new bridge runs the saved settings: nothing waits for a restart, two slots.
    await expect.poll(() => p.locator('[data-testid=restart-list]').count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(async () => (await own.api<unknown[]>('GET', '/api/slots')).length, { timeout: 30_000 }).toBe(2);
    await p.close();
  });
});

describe('long chats', () => {
  it('opens at an unread divider and offers a jump to the newest message', async () => {
    await kit.connect(1);
    const chatId = '15550700007@c.us';
    for (let i = 1; i <= 12; i++) await kit.api('POST', '/api/send', { slot: 1, chatId, message: `order line ${i} with enough words to take some room` });
    // Each message is echoed back by the demo contact: 12 unread.
    await expect
      .poll(async () => (await kit.api<{ data: { chatId: string; unreadCount: number }[] }>('GET', '/api/chats?slot=1')).data.find((c) => c.chatId === chatId)?.unreadCount, { timeout: 20_000 })
      .toBe(12);
    const p = await kit.page({ lang: 'en' });
    await p.setViewportSize({ width: 1280, height: 600 });
    // As the owner does: the chat list first, then the chat with its unread badge.
    await p.goto(`${kit.bridge.url}/#/chats?slot=1`);
    await p.click(`[data-testid=chat-item][data-chat-id="${chatId}"]`);
    const divider = p.locator('[data-testid=unread-divider]');
    await divider.waitFor();
    expect(await divider.textContent()).toBe(en.unreadDivider.replace('{n}', '12'));
    // It sits right before the first echo.
    const next = await divider.evaluate((el) => (el as unknown as { nextElementSibling: { textContent: string } | null }).nextElementSibling?.textContent ?? '');
    expect(next).toContain('Echo: order line 1 ');
    // Opened at the divider, so the newest is below: the jump button takes the owner there.
    await p.locator('[data-testid=jump-bottom]').waitFor();
    await p.click('[data-testid=jump-bottom]');
    await expect.poll(() => p.locator('[data-testid=jump-bottom]').count()).toBe(0);
    const gap = await p.locator('[data-testid=message-list]').evaluate((el) => {
      const e = el as unknown as { scrollHeight: number; scrollTop: number; clientHeight: number };
      return e.scrollHeight - e.scrollTop - e.clientHeight;
    });
    expect(gap).toBeLessThan(80);
    await p.close();
  });
});
