// Settings → Updates in the desktop app (issue 17): the switch and "Check now" go through the
// preload's update channels. Electron cannot run here, so the page gets a stand-in `waBridge`
// with the preload's shape that records what it was asked; in a plain browser the card is absent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../renderer/src/i18n/en.js';
import { desktopStandIn, startUi, type UiKit } from './kit.js';

let kit: UiKit;
beforeAll(async () => {
  kit = await startUi();
});
afterAll(() => kit?.close());

/** The preload stand-in with an update switch kept in the page, recording what it was asked. */
const shellScript = (token: string, configured: boolean) =>
  desktopStandIn(token, {
    setup: `window.__calls = [];
      let state = { configured: ${configured}, automatic: true, status: ${configured ? "'idle'" : "'off'"} };`,
    members: `updates: async () => (window.__calls.push('updates'), state),
      setAutoUpdate: async (enabled) => (window.__calls.push('set:' + enabled), (state = { ...state, automatic: enabled })),
      checkForUpdates: async () => (window.__calls.push('check'), (state = { ...state, status: 'checking' })),`,
  });

describe('Settings → Updates', () => {
  it('turns automatic updates off and on and checks now, through the desktop app', async () => {
    const page = await kit.context.newPage();
    await page.addInitScript({ content: shellScript(kit.bridge.adminToken, true) });
    await page.goto(kit.bridge.url + '/');
    await page.click('[data-testid=nav-settings]');
    const card = page.locator('[data-testid=updates-card]');
    const toggle = card.locator('[data-testid=updates-automatic]');
    await expect.poll(() => toggle.isChecked()).toBe(true);
    expect(await card.locator('[data-testid=updates-status]').textContent()).toBe(en.updatesIdle);
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(false);
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    await card.locator('[data-testid=updates-check]').click();
    await expect.poll(() => card.locator('[data-testid=updates-status]').textContent()).toBe(en.updatesChecking);
    expect(await page.evaluate('window.__calls')).toEqual(['updates', 'set:false', 'set:true', 'check']);
    await page.close();
  });

  it('says so when no update feed is set, and cannot check', async () => {
    const page = await kit.context.newPage();
    await page.addInitScript({ content: shellScript(kit.bridge.adminToken, false) });
    await page.goto(kit.bridge.url + '/');
    await page.click('[data-testid=nav-settings]');
    const card = page.locator('[data-testid=updates-card]');
    await expect.poll(() => card.locator('[data-testid=updates-status]').textContent()).toBe(en.updatesOff);
    expect(await card.locator('[data-testid=updates-check]').isDisabled()).toBe(true);
    await page.close();
  });

  it('is absent in a plain browser (no desktop app to update)', async () => {
    const page = await kit.page();
    await page.goto(kit.bridge.url + '/');
    await page.click('[data-testid=nav-settings]');
    await page.locator('[data-testid=backup-card]').waitFor();
    expect(await page.locator('[data-testid=updates-card]').count()).toBe(0);
    await page.close();
  });
});
