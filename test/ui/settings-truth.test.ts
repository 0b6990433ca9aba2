// Issue 16, "Settings tell the truth": the database test is "save, then test" (the bridge only
// tests a saved server and says so; the app shows its words, not a generic error).
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
