// Issue 16: chats beyond the first 200 (a virtualised list that pages in more on scroll, a filter
// that searches every chat on the bridge), "New chat" by phone number, a stopped number's history
// read from the archive, and search narrowed by chat and date range without shifting the shell.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUi, type UiKit } from './kit.js';
import { seriousViolations } from './axe.js';

const CHATS = 260;
const FAMILY = '120363025246125486@g.us'; // the demo's oldest chat: last of all in the list
const chatOf = (i: number) => `1555081${String(i).padStart(4, '0')}@c.us`;

let kit: UiKit;
let page: Page;

beforeAll(async () => {
  kit = await startUi({ slots: 3, ratePerMinute: 100_000, ratePerHour: 100_000, ratePerDay: 100_000 });
  await kit.connect(1);
  for (let i = 0; i < CHATS; i += 52) {
    await Promise.all(Array.from({ length: 52 }, (_, k) => kit.api('POST', '/api/send', { slot: 1, chatId: chatOf(i + k), message: `order ${i + k} confirmed` })));
  }
  // Every demo contact answers; the list is read once it stands still.
  for (let i = 0; ; i++) {
    const chats = (await kit.api<{ data: { lastMessage: string }[] }>('GET', '/api/chats?slot=1&limit=500')).data;
    if (chats.filter((c) => c.lastMessage?.startsWith('Echo: order')).length === CHATS) break;
    if (i > 300) throw new Error('the demo contacts never answered');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterEach(async () => {
  await page?.close();
});

afterAll(async () => {
  await kit?.close();
});

async function scrollListToEnd(p: Page): Promise<void> {
  await p.evaluate(`(() => { const el = document.querySelector('[data-testid=chat-list]'); el.scrollTop = el.scrollHeight; })()`);
}

describe('chats beyond the first page', () => {
  it('draws only the rows in view and loads more on scroll, down to the oldest chat', async () => {
    page = await kit.page();
    await page.goto(`${kit.bridge.url}/#/chats?slot=1`);
    await page.locator('[data-testid=chat-item]').first().waitFor();
    // Virtualised: a screenful of rows in the page, not hundreds.
    expect(await page.locator('[data-testid=chat-item]').count()).toBeLessThan(40);
    const family = page.locator(`[data-testid=chat-item][data-chat-id="${FAMILY}"]`);
    for (let i = 0; i < 30 && (await family.count()) === 0; i++) {
      await scrollListToEnd(page);
      await page.waitForTimeout(150);
    }
    await expect.poll(() => family.count()).toBe(1);
    expect(await page.locator('[data-testid=chat-item]').count()).toBeLessThan(40);
    await family.click();
    await page.locator(`[data-testid=thread][data-chat-id="${FAMILY}"]`).waitFor();
  });

  it('the filter finds a chat the list has not loaded (searched on the bridge)', async () => {
    page = await kit.page();
    await page.goto(`${kit.bridge.url}/#/chats?slot=1`);
    await page.locator('[data-testid=chat-item]').first().waitFor();
    await page.fill('[data-testid=chat-search]', 'family');
    await expect.poll(() => page.locator('[data-testid=chat-item]').getAttribute('data-chat-id')).toBe(FAMILY);
    expect(await page.locator('[data-testid=chat-item]').count()).toBe(1);
    // By number: 40 of the written chats contain "5550810" + "0"…"3" → the first of them by digits.
    await page.fill('[data-testid=chat-search]', '+1 555 081 0003');
    await expect.poll(() => page.locator('[data-testid=chat-item]').getAttribute('data-chat-id')).toBe(chatOf(3));
    // The unified inbox searches every number on the bridge too.
    await page.goto(`${kit.bridge.url}/#/chats?slot=all`);
    await page.locator('[data-testid=chat-item]').first().waitFor();
    await page.fill('[data-testid=chat-search]', 'family group');
    await expect.poll(() => page.locator('[data-testid=chat-item]').getAttribute('data-chat-id')).toBe(FAMILY);
  });
});

describe('new chat by phone number', () => {
  it('refuses an invalid number and one not on WhatsApp in words; a good one opens the chat with the message', async () => {
    page = await kit.page();
    await page.goto(`${kit.bridge.url}/#/chats?slot=1`);
    await page.click('[data-testid=new-chat]');
    const dialog = page.locator('[data-testid=new-chat-dialog]');
    await dialog.waitFor();
    await page.fill('[data-testid=new-chat-phone]', '12345');
    await page.fill('[data-testid=new-chat-message]', 'Your order is ready');
    await page.click('[data-testid=new-chat-send]');
    await expect.poll(() => page.locator('[data-testid=new-chat-error]').textContent()).toContain('not a valid phone number');
    expect(await seriousViolations(page)).toEqual([]);
    // The demo engine says numbers ending in 0000 are not on WhatsApp.
    await page.fill('[data-testid=new-chat-phone]', '+44 7700 900000');
    await page.click('[data-testid=new-chat-send]');
    await expect.poll(() => page.locator('[data-testid=new-chat-error]').textContent()).toBe('+447700900000 is not on WhatsApp.');
    await page.fill('[data-testid=new-chat-phone]', '+44 (7700) 900-456');
    await page.click('[data-testid=new-chat-send]');
    await page.locator('[data-testid=thread][data-chat-id="447700900456@c.us"]').waitFor();
    await expect.poll(() => page.locator('[data-testid=message]').filter({ hasText: 'Your order is ready' }).count()).toBeGreaterThan(0);
    expect(await dialog.count()).toBe(0);
    // The new chat is at the top of the list.
    await expect.poll(() => page.locator('[data-testid=chat-item]').first().getAttribute('data-chat-id')).toBe('447700900456@c.us');
  });

  it('in Arabic, the dialog speaks Arabic', async () => {
    page = await kit.page({ lang: 'ar' });
    await page.goto(`${kit.bridge.url}/#/chats?slot=1`);
    await page.click('[data-testid=new-chat]');
    await page.fill('[data-testid=new-chat-phone]', '12');
    await page.fill('[data-testid=new-chat-message]', 'مرحبا');
    await page.click('[data-testid=new-chat-send]');
    await expect.poll(() => page.locator('[data-testid=new-chat-error]').textContent()).toContain('ليس رقم هاتف صالحاً');
  });
});

describe('a stopped number', () => {
  it('lists its chats and messages from the archive, read-only with the reason', async () => {
    // (English again after the Arabic test: the language is kept per browser profile.)
    await kit.connect(2);
    const chatId = '15550900777@c.us';
    await kit.api('POST', '/api/send', { slot: 2, chatId, message: 'invoice sent yesterday' });
    await expect.poll(async () => (await kit.api<{ data: unknown[] }>('GET', `/api/archive?slot=2&chatId=${encodeURIComponent(chatId)}`)).data.length, { timeout: 10_000 }).toBe(2);
    await kit.api('POST', '/api/disconnect', { slot: 2 });
    page = await kit.page({ lang: 'en' });
    await page.goto(`${kit.bridge.url}/#/chats?slot=2`);
    await page.locator('[data-testid=archived-notice]').waitFor();
    expect(await page.locator('[data-testid=archived-notice]').textContent()).toContain('Number 2 is stopped');
    await page.click(`[data-testid=chat-item][data-chat-id="${chatId}"]`);
    await page.locator(`[data-testid=thread][data-chat-id="${chatId}"]`).waitFor();
    await expect.poll(() => page.locator('[data-testid=message]').filter({ hasText: 'invoice sent yesterday' }).count()).toBe(2);
    expect(await page.locator('[data-testid=compose]').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid=composer-disabled-reason]').textContent()).toContain('Read-only: number 2 is stopped.');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('jumps to a search hit in its history, paging back to it; the flash fades though older pages load meanwhile', async () => {
    // 222 archived rows (each message and the contact's echo), the hit about 140 back: in the
    // second page of 100, with a third, older one still to load after the hit is found.
    await kit.connect(3);
    const chatId = '15550900888@c.us';
    const send = (message: string) => kit.api('POST', '/api/send', { slot: 3, chatId, message });
    for (let i = 0; i < 40; i++) await send(`early ${i}`);
    await send('the archived needle');
    for (let i = 0; i < 70; i++) await send(`late ${i}`);
    const archived = async (offset: number) => (await kit.api<{ data: { id: string; body: string }[] }>('GET', `/api/archive?slot=3&chatId=${encodeURIComponent(chatId)}&limit=100&offset=${offset}`)).data;
    await expect.poll(async () => (await archived(200)).length, { timeout: 20_000 }).toBe(22);
    const hit = (await archived(100)).find((m) => m.body === 'the archived needle');
    expect(hit).toBeDefined();
    await kit.api('POST', '/api/disconnect', { slot: 3 });

    page = await kit.page({ lang: 'en' });
    await page.goto(`${kit.bridge.url}/#/chats?slot=3&chat=${encodeURIComponent(chatId)}&msg=${encodeURIComponent(hit!.id)}`);
    await page.locator('[data-testid=thread][data-archived=true]').waitFor();
    const flashed = page.locator(`[data-testid=message][data-message-id="${hit!.id}"].flash`);
    await flashed.waitFor();
    expect(await page.locator('.message-list-wrap').getAttribute('data-count')).toBe('200');
    // The owner asks for the oldest page while the hit is still flashing.
    await page.evaluate(`document.querySelector('[data-testid=message-list] .older button').click()`);
    await expect.poll(() => page.locator('.message-list-wrap').getAttribute('data-count')).toBe('222');
    await expect.poll(() => flashed.count(), { timeout: 5000 }).toBe(0);
    expect(await page.locator(`[data-testid=message][data-message-id="${hit!.id}"]`).count()).toBe(1);
  });
});

describe('search filters', () => {
  it('narrows to one chat and a date range; a reversed range is explained', async () => {
    page = await kit.page({ lang: 'en' });
    await page.goto(`${kit.bridge.url}/#/search?q=confirmed&slot=1`);
    await expect.poll(() => page.locator('[data-testid=search-result]').count(), { timeout: 10_000 }).toBeGreaterThan(5);
    await page.selectOption('[data-testid=search-chat]', chatOf(7));
    const hrefs = () => page.locator('[data-testid=search-result]').evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string }).getAttribute('href')));
    // (An empty list passes `every`: wait for the filtered results themselves.)
    await expect.poll(async () => { const h = await hrefs(); return h.length > 0 && h.every((x) => x.includes(`chat=${encodeURIComponent(chatOf(7))}`)); }).toBe(true);
    // Both the message and its echo, each linking into slot 1.
    expect(await hrefs()).toEqual([expect.stringContaining('slot=1'), expect.stringContaining('slot=1')]);
    // Tomorrow onwards: nothing; today: the same two.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Asia/Amman' });
    await page.fill('[data-testid=search-from]', day(1));
    await page.locator('[data-testid=no-results]').waitFor();
    await page.fill('[data-testid=search-from]', day(0));
    await page.fill('[data-testid=search-to]', day(0));
    await expect.poll(() => page.locator('[data-testid=search-result]').count()).toBe(2);
    await page.fill('[data-testid=search-from]', day(2));
    await page.locator('[data-testid=search-bad-range]').waitFor();
    expect(await page.locator('[data-testid=search-result]').count()).toBe(0);
    await page.click('[data-testid=search-clear-filters]');
    await expect.poll(() => page.locator('[data-testid=search-result]').count()).toBeGreaterThan(5);
  });

  it('jumping to a hit leaves the app shell where it was', async () => {
    // A long chat whose first message is the hit: the thread pages back and brings it into view.
    const long = chatOf(CHATS + 1);
    await kit.api('POST', '/api/send', { slot: 1, chatId: long, message: 'the needle is here' });
    for (let i = 0; i < 70; i += 35) {
      await Promise.all(Array.from({ length: 35 }, (_, k) => kit.api('POST', '/api/send', { slot: 1, chatId: long, message: `filler ${i + k}` })));
    }
    // The message and the contact's echo are both in the archive before the search is opened.
    for (let i = 0; (await kit.api<{ data: unknown[] }>('GET', `/api/archive/search?slot=1&query=needle&chatId=${encodeURIComponent(long)}`)).data.length < 2; i++) {
      if (i > 300) throw new Error('the needle was never archived');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The hit is drawn inside the list's viewport (not only loaded somewhere above or below it).
    const hitInView = `(() => {
      const list = document.querySelector('[data-testid=message-list]');
      const hit = [...document.querySelectorAll('[data-testid=message]')].find((el) => el.textContent.includes('the needle is here'));
      if (!list || !hit) return 'not drawn';
      const l = list.getBoundingClientRect(), b = hit.getBoundingClientRect();
      if (b.top < l.top - 1 || b.bottom > l.bottom + 1) return 'outside ' + JSON.stringify([Math.round(b.top), Math.round(b.bottom), Math.round(l.top), Math.round(l.bottom)]);
      return hit.classList.contains('flash') ? 'in view, flashed' : 'in view';
    })()`;
    // In both languages and at a small laptop's size too; each page jumps twice (the second time
    // the chat is already read, so the list starts at its newest message).
    for (const [lang, width, height] of [['en', 1280, 800], ['ar', 1024, 640], ['en', 1024, 640]] as const) {
      page = await kit.page({ lang });
      await page.setViewportSize({ width, height });
      for (let open = 0; open < 2; open++) {
        await page.goto(`${kit.bridge.url}/#/search?q=needle&slot=1&chat=${encodeURIComponent(long)}`);
        await expect.poll(() => page.locator('[data-testid=search-result]').count(), { timeout: 10_000 }).toBe(2);
        const shell = `JSON.stringify([...document.querySelectorAll('.shell, .topbar, .sidenav, #main')].map((el) => { const b = el.getBoundingClientRect(); return [el.className, Math.round(b.top), Math.round(b.left), Math.round(b.width), Math.round(b.height)]; }))`;
        const before = await page.evaluate(shell);
        // Every change of the hit's state, frame by frame, from the click on.
        await page.evaluate(`(() => { window.__log = []; const f = () => { const v = ${hitInView}; const l = window.__log; if (l[l.length - 1]?.[1] !== v) l.push([Math.round(performance.now()), v]); requestAnimationFrame(f); }; requestAnimationFrame(f); })()`);
        await page.locator('[data-testid=search-result]').last().click();
        await page.locator(`[data-testid=thread][data-chat-id="${long}"]`).waitFor();
        // The thread pages back through the archive to the hit, brings it into view and flashes it.
        await expect.poll(() => page.evaluate(hitInView), { timeout: 10_000, message: `${lang} ${width}x${height} open ${open + 1}` }).toBe('in view, flashed');
        // ...and nothing pulls the view away from it afterwards: still there once the flash is over.
        const later = `${lang} ${width}x${height} open ${open + 1}, after the flash`;
        await expect.poll(() => page.evaluate(hitInView), { timeout: 10_000, message: later }).toBe('in view');
        await page.waitForTimeout(300);
        expect(await page.evaluate(hitInView), later).toBe('in view');
        // Once shown it stayed in view, not even a frame away (no tug of war with the list's start).
        const states = (await page.evaluate<[number, string][]>('window.__log')).map(([, v]) => v);
        expect(states.slice(states.indexOf('in view, flashed')), later).toEqual(['in view, flashed', 'in view']);
        // Only the message list scrolled: no element around it, nor the page itself.
        const scrolled = `JSON.stringify([document.scrollingElement, ...document.querySelectorAll('body *')]
          .filter((el) => (el.scrollTop > 0 || el.scrollLeft !== 0) && !el.closest('[data-testid=message-list]')).map((el) => el.tagName + '.' + el.className))`;
        expect(await page.evaluate(scrolled)).toBe('[]');
        expect(await page.evaluate(shell)).toBe(before);
      }
      await page.close();
    }
  });
});
