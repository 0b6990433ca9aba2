// Issue 16: axe-core on every screen, in English and Arabic, light and dark: no serious or
// critical violations (contrast included: all text reaches WCAG AA).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUi, type UiKit } from './kit.js';
import { seriousViolations } from './axe.js';

const OMAR = '962781523783@c.us';
const SARAH = '447700900123@c.us';
const SCREENS: [string, string][] = [
  ['slots', '#/slots'],
  ['chats', `#/chats?slot=1&chat=${encodeURIComponent(OMAR)}`],
  ['search', '#/search?q=hello'],
  ['phones', '#/phones'],
  ['settings', '#/settings'],
  ['logs', '#/logs'],
  // Slot 2 is never connected: its history is read from the archive, read-only.
  ['chats', '#/chats?slot=2'],
];

let kit: UiKit;

beforeAll(async () => {
  kit = await startUi({ slots: 2 });
  await kit.connect(1);
  await kit.api('POST', '/api/send', { slot: 1, chatId: OMAR, message: 'hello for the search screen' });
});

afterAll(async () => {
  await kit?.close();
});

describe('accessibility (axe-core)', () => {
  for (const lang of ['en', 'ar'] as const) {
    for (const theme of ['light', 'dark'] as const) {
      it(`has no serious or critical violations on any screen: ${lang}, ${theme}`, async () => {
        const found: string[] = [];
        // The sign-in screen, before any token (the session cookie signs every tab in: drop it first).
        await kit.context.clearCookies();
        const signIn = await kit.context.newPage();
        await signIn.emulateMedia({ colorScheme: theme });
        await signIn.addInitScript({ content: `localStorage.setItem('waBridge.lang', ${JSON.stringify(lang)});` });
        await signIn.goto(kit.bridge.url);
        await signIn.locator('[data-testid=signin-form]').waitFor();
        for (const v of await seriousViolations(signIn)) found.push(`signin: ${v}`);
        await signIn.close();
        const page = await kit.page({ lang, theme });
        for (const [name, hash] of SCREENS) {
          await page.goto(`${kit.bridge.url}/${hash}`);
          await page.locator(`main.content[data-screen=${name}] h1, main.content[data-screen=${name}] h2`).first().waitFor();
          await page.waitForLoadState('networkidle');
          for (const v of await seriousViolations(page)) found.push(`${name}: ${v}`);
        }
        // A stopped number's last error on its card (the demo never fails on its own: the reply is edited).
        await page.route('**/api/slots', async (route) => {
          const res = await route.fetch();
          const slots = (await res.json()) as { slot: number }[];
          await route.fulfill({ response: res, json: slots.map((x) => (x.slot === 2 ? { ...x, lastError: 'The browser closed unexpectedly' } : x)) });
        });
        await page.goto(`${kit.bridge.url}/#/slots`);
        await page.reload(); // the slot list is read when the app loads
        await page.locator('[data-testid=slot-error]').first().waitFor();
        for (const v of await seriousViolations(page)) found.push(`slot error: ${v}`);
        await page.close();
        expect(found).toEqual([]);
      });
    }
  }
});

describe('keyboard', () => {
  it('lands in the main content after sign-in; a skip link; focus comes back after a dialog', async () => {
    await kit.context.clearCookies(); // signed out, so the form shows
    const page = await kit.context.newPage();
    await page.goto(kit.bridge.url);
    await page.fill('[data-testid=token-input]', kit.bridge.adminToken);
    await page.click('[data-testid=signin-submit]');
    await page.locator('[data-testid=slot-card]').first().waitFor();
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('main');
    // The skip link comes first in the tab order and moves focus to main.
    expect(await page.evaluate('document.querySelector("a[href], button, input, select, textarea, [tabindex]:not([tabindex=\'-1\'])")?.dataset.testid')).toBe('skip-link');
    await page.locator('[data-testid=skip-link]').focus();
    expect(await page.locator('[data-testid=skip-link]').isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('main');
    // A dialog opened from a button gives focus back to it when it closes.
    const logout = page.locator('[data-testid=slot-card][data-slot="1"] [data-testid=slot-logout]');
    await logout.focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=confirm-dialog][open]').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate('document.activeElement?.dataset.testid')).toBe('slot-logout');
    await page.close();
  });

  it('Ctrl+K opens search with the cursor in it; Alt+N opens the next unread chat', async () => {
    const page = await kit.page({ lang: 'en' });
    await page.goto(`${kit.bridge.url}/#/slots`);
    await page.locator('[data-testid=slot-card]').first().waitFor();
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.evaluate('document.activeElement?.dataset.testid')).toBe('search-input');
    await page.locator('[data-testid=search-input]').blur();
    // A reply in a chat nobody has opened yet (the screens above read Omar's chat, as they should).
    await kit.api('POST', '/api/send', { slot: 1, chatId: SARAH, message: 'are you open today?' });
    await expect.poll(() => page.locator('[data-testid=nav-unread]').count()).toBe(1);
    await page.keyboard.press('Alt+n');
    await page.locator('[data-testid=thread]').waitFor();
    expect(page.url()).toMatch(/#\/chats\?slot=all&in=1&chat=/);
    expect(decodeURIComponent(page.url())).toContain(SARAH);
    await page.close();
  });
});
