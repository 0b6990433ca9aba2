// Issue 16, long chats: a 600-message chat keeps only the bubbles near the viewport in the page
// (virtualised), scrolling to the top loads older messages through `GET /api/messages?before=`,
// and the message that was at the top stays where it was on the screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import { startUi, type UiKit } from './kit.js';

const LONG = '15550600601@c.us';
let kit: UiKit;

beforeAll(async () => {
  kit = await startUi({ slots: 1, ratePerMinute: 100_000, ratePerHour: 100_000, ratePerDay: 100_000 });
  await kit.connect(1);
  // 300 sends, each echoed by the demo contact: 600 messages.
  for (let i = 0; i < 300; i += 25) {
    await Promise.all(Array.from({ length: 25 }, (_, k) => kit.api('POST', '/api/send', { slot: 1, chatId: LONG, message: `long line ${i + k} with a few words` })));
  }
  // Until every echo is in the live chat.
  for (let i = 0; ; i++) {
    // Newest first: the 600th message is the last of a page of 100 before the 500th.
    const head = await kit.api<{ data: { id: string }[] }>('GET', `/api/messages?slot=1&chatId=${LONG}&limit=500`);
    const tail = head.data.length === 500 ? await kit.api<{ data: unknown[] }>('GET', `/api/messages?slot=1&chatId=${LONG}&limit=100&before=${head.data[499]!.id}`) : { data: [] };
    if (tail.data.length >= 100) break;
    if (i > 300) throw new Error(`only ${head.data.length + tail.data.length} messages in the long chat`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  await kit?.close();
});

// String bodies: this file is type-checked without the DOM library.
const LIST = '[data-testid=message-list]';
/** The first message whose bottom is below the list's top edge: id and its top on the screen. */
const topVisible = (p: Page) =>
  p.evaluate(`(() => {
    const list = document.querySelector('${LIST}').getBoundingClientRect();
    const m = [...document.querySelectorAll('${LIST} [data-testid=message]')].find((el) => el.getBoundingClientRect().bottom > list.top + 1);
    return { id: m.getAttribute('data-message-id'), top: m.getBoundingClientRect().top };
  })()`) as Promise<{ id: string; top: number }>;
const topOf = (p: Page, id: string) =>
  p.evaluate(`document.querySelector('${LIST} [data-message-id="${id}"]')?.getBoundingClientRect().top ?? null`) as Promise<number | null>;
const domMessages = (p: Page) => p.locator('[data-testid=message]').count();

async function openLong(): Promise<Page> {
  const p = await kit.page({ lang: 'en' });
  await p.setViewportSize({ width: 1280, height: 720 });
  await p.goto(`${kit.bridge.url}/#/chats?slot=1&chat=${encodeURIComponent(LONG)}`);
  await p.locator('[data-testid=message]').first().waitFor();
  return p;
}

describe('long chats', () => {
  it('loads older messages when scrolled to the top, and the top message stays where it was', async () => {
    const p = await openLong();
    // Hold the older page until the position before it is recorded.
    let held: Route | null = null;
    let asked = '';
    await p.route(/\/api\/messages\?.*before=/, (route) => {
      asked = route.request().url();
      held = route;
    });
    await p.evaluate(`document.querySelector('${LIST}').scrollTop = 0`);
    await expect.poll(() => held !== null, { timeout: 10_000 }).toBe(true);
    await p.waitForTimeout(100); // the header's "Loading…" settles
    const before = await topVisible(p);
    const oldestBefore = Number(await p.locator('.message-list-wrap').getAttribute('data-count'));
    expect(new URL(asked).searchParams.get('chatId')).toBe(LONG);
    await held!.continue();
    await expect.poll(async () => Number(await p.locator('.message-list-wrap').getAttribute('data-count'))).toBeGreaterThan(oldestBefore);
    // The list measures the new rows over a few frames (slow ones on a loaded machine); once it has
    // settled, the top message must be back where it was.
    let after: number | null = null;
    await expect
      .poll(async () => { after = await topOf(p, before.id); return after !== null && Math.abs(after - before.top) <= 2; }, { timeout: 5_000 })
      .toBe(true)
      .catch(() => { throw new Error(`top message moved from ${before.top} to ${after}`); });
    // And the older messages are really above it now.
    await p.evaluate(`document.querySelector('${LIST}').scrollBy(0, -300)`);
    await expect.poll(async () => (await topVisible(p)).id).not.toBe(before.id);
    await p.close();
  });

  it('keeps only the bubbles near the viewport in the page, yet reaches the first message by scrolling', async () => {
    const p = await openLong();
    // Scroll to the top until the whole chat (live chat, then archive) is in: no more "older".
    const count = async () => Number(await p.locator('.message-list-wrap').getAttribute('data-count'));
    const seen: number[] = [];
    for (let i = 0; i < 30 && (await p.locator('.older').count()) > 0; i++) {
      seen.push(await count());
      await p.evaluate(`document.querySelector('${LIST}').scrollTop = 0`);
      await p.waitForTimeout(300);
    }
    await p.evaluate(`document.querySelector('${LIST}').scrollTop = 0`);
    await p.locator('[data-testid=message]', { hasText: /^long line 0 / }).waitFor({ timeout: 5000 }).catch(async () => {
      const texts = await p.locator('[data-testid=message]').allTextContents();
      throw new Error(`first message not shown after loads ${seen.join(',')} → ${await count()}; shown: ${texts.slice(0, 3).join(' | ')}`);
    });
    expect(Number(await p.locator('.message-list-wrap').getAttribute('data-count'))).toBeGreaterThanOrEqual(600);
    // 600 messages loaded, a screenful or three of them in the DOM.
    expect(await domMessages(p)).toBeLessThan(120);
    // The jump button takes the owner back to the newest.
    await p.click('[data-testid=jump-bottom]');
    await expect.poll(() => p.locator('[data-testid=jump-bottom]').count()).toBe(0);
    const newest = (await kit.api<{ data: { id: string }[] }>('GET', `/api/messages?slot=1&chatId=${LONG}&limit=1`)).data[0]!.id;
    await p.locator(`[data-testid=message][data-message-id="${newest}"]`).waitFor();
    expect(await domMessages(p)).toBeLessThan(120);
    await p.close();
  });

  it('brings the owner’s own new message into view even when scrolled up', async () => {
    const p = await openLong();
    await p.evaluate(`document.querySelector('${LIST}').scrollTop = 200`);
    await p.locator('[data-testid=jump-bottom]').waitFor();
    await p.fill('[data-testid=compose]', 'sent while reading older ones');
    await p.press('[data-testid=compose]', 'Enter');
    const mine = p.locator('[data-testid=message][data-from-me="1"]', { hasText: 'sent while reading older ones' });
    await mine.waitFor();
    // Inside the list's visible box, not merely in the page.
    const inView = () =>
      p.evaluate(`(() => {
        const list = document.querySelector('${LIST}').getBoundingClientRect();
        const m = [...document.querySelectorAll('${LIST} [data-testid=message]')].find((el) => el.textContent.includes('sent while reading older ones'));
        if (!m) return false;
        const box = m.getBoundingClientRect();
        return box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
      })()`);
    await expect.poll(inView).toBe(true);
    await expect.poll(() => p.locator('[data-testid=jump-bottom]').count()).toBe(0);
    await p.close();
  });
});
