// Issue 16: one inbox for six numbers — every ready number's chats in one list, unread counts in
// the navigation and the window title, desktop notifications that respect WhatsApp's mute.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUi, type UiKit } from './kit.js';

const SARAH = '447700900123@c.us';
const MUTED = '15550123456@c.us';
type Chat = { chatId: string; unreadCount: number; isMuted: boolean };

let kit: UiKit;
let page: Page;

// The browser's Notification, recorded instead of shown (and already allowed).
const FAKE_NOTIFICATION = `
  window.__notes = [];
  window.Notification = class { static permission = 'granted'; static requestPermission() { return Promise.resolve('granted'); }
    constructor(title, opts) { window.__notes.push({ title, body: opts && opts.body }); } close() {} };`;

async function unreadTotal(): Promise<number> {
  let total = 0;
  for (const slot of [1, 2]) {
    const chats = (await kit.api<{ data: Chat[] }>('GET', `/api/chats?slot=${slot}`)).data;
    total += chats.filter((c) => !c.isMuted).reduce((n, c) => n + c.unreadCount, 0);
  }
  return total;
}

beforeAll(async () => {
  kit = await startUi({ slots: 3 });
  await kit.connect(1);
  await kit.connect(2);
});

// A fresh tab per test (its own notifications); each test reads the unread total it starts from.
beforeEach(async () => {
  page = await kit.page();
  await page.addInitScript({ content: FAKE_NOTIFICATION });
  await page.goto(`${kit.bridge.url}/#/slots`);
});

afterEach(async () => {
  await page?.close();
});

afterAll(async () => {
  await kit?.close();
});

describe('one inbox', () => {
  it('shows the unread total of every number in the navigation and the window title', async () => {
    const total = await unreadTotal();
    expect(total).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid=nav-unread]').textContent()).toBe(String(total));
    await expect.poll(() => page.title()).toBe(`(${total}) WA Bridge`);
  });

  it('lists all numbers’ chats in one list, each row naming its number', async () => {
    await page.click('[data-testid=nav-chats]');
    await page.selectOption('[data-testid=chat-slot-picker]', 'all');
    const items = page.locator('[data-testid=chat-item]');
    await expect.poll(async () => new Set(await items.evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(name: string): string | null }).getAttribute('data-slot')))).size).toBe(2);
    expect(await page.locator('[data-testid=chat-item][data-slot="2"] [data-testid=chat-via]').first().textContent()).toBe('+15550000002');
  });

  it('counts a new message and notifies, except in a muted chat; opening the chat reads it', async () => {
    const before = await unreadTotal();
    // The app has the current total before the messages arrive (so it sees them arrive).
    await expect.poll(() => page.locator('[data-testid=nav-unread]').textContent()).toBe(String(before));
    await kit.api('POST', '/api/send', { slot: 2, chatId: MUTED, message: 'to the muted chat' });
    await kit.api('POST', '/api/send', { slot: 2, chatId: SARAH, message: 'hello inbox' });
    // The demo contact answers each with an echo.
    await expect.poll(() => page.locator('[data-testid=nav-unread]').textContent(), { timeout: 10_000 }).toBe(String(before + 1));
    await expect.poll(() => page.title()).toBe(`(${before + 1}) WA Bridge`);
    await expect.poll(() => page.evaluate('window.__notes.map((n) => n.body)'), { timeout: 10_000 }).toContain('Echo: hello inbox');
    // The muted chat's echo has arrived by now (it was sent first) and made no notification.
    await expect.poll(async () => (await kit.api<{ data: Chat[] }>('GET', '/api/chats?slot=2')).data.find((c) => c.chatId === MUTED)?.unreadCount).toBeGreaterThan(0);
    expect(await page.evaluate('window.__notes.map((n) => n.body)')).not.toContain('Echo: to the muted chat');

    await page.click('[data-testid=nav-chats]');
    await page.selectOption('[data-testid=chat-slot-picker]', 'all');
    await page.click(`[data-testid=chat-item][data-slot="2"][data-chat-id="${SARAH}"]`);
    await page.locator(`[data-testid=thread][data-chat-id="${SARAH}"]`).waitFor();
    // Sarah's echo is read: the total drops back, on the bridge and in the app.
    await expect.poll(() => unreadTotal()).toBe(before);
    await expect.poll(() => page.locator('[data-testid=nav-unread]').textContent()).toBe(String(before));
    await expect.poll(() => page.title()).toBe(`(${before}) WA Bridge`);
  });
});
