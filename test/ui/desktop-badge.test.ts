// The desktop app's unread badge (issue 16): the page hands its unread total — the one in the
// window title and the navigation — to the shell through the preload, which puts it on the tray,
// dock or taskbar (electron/unread-badge.ts). Electron cannot run here: the page gets a stand-in
// `waBridge` with the preload's shape that records what it was told.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desktopStandIn, startUi, type UiKit } from './kit.js';

let kit: UiKit;
beforeAll(async () => {
  kit = await startUi();
  await kit.connect(1); // the demo account's history has unread chats
});
afterAll(() => kit?.close());

/** The preload stand-in, recording every unread total it is handed. */
const shell = (token: string) => desktopStandIn(token, { setup: 'window.__unread = [];', members: 'setUnreadCount: (n) => window.__unread.push(n),' });

describe('tray badge', () => {
  it('tells the shell the unread total the page shows, and again when it changes', async () => {
    const page = await kit.context.newPage();
    await page.addInitScript({ content: shell(kit.bridge.adminToken) });
    await page.goto(kit.bridge.url + '/#/slots');
    const badge = page.locator('[data-testid=nav-unread]');
    await badge.waitFor();
    const shown = Number(await badge.textContent());
    expect(shown).toBeGreaterThan(0);
    await expect.poll(() => page.evaluate('window.__unread.at(-1)')).toBe(shown);
    expect(await page.title()).toContain(`(${shown})`);

    // Reading a chat lowers the total: the shell hears the new number.
    await page.click('[data-testid=nav-chats]');
    // A chat that counts (muted chats' badges are quiet and left out of the total).
    const row = page.locator('[data-testid=chat-item]:has(.unread-badge:not(.quiet))').first();
    await row.waitFor();
    const inRow = Number(await row.locator('[data-testid=unread-badge]').textContent());
    await row.click();
    await expect.poll(() => page.evaluate('window.__unread.at(-1)')).toBe(shown - inRow);
    await page.close();
  });
});
