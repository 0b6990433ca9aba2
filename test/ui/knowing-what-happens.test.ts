// Issue 16, knowing what happens: Settings tell the truth (the database test is "save, then
// test": the bridge only tests a saved server and the app shows its words, not a generic error);
// the Phones page warns about a loopback-only bridge and names the address a phone can reach;
// the Logs screen explains (requests, lifecycle, pairing) with filters and a live tail.
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
