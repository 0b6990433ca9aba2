// Backups in the admin app (issue 12): a slot card's "Back up now" and last backup time, and
// Settings → Backup → "Restore from file": a wrong passphrase is named, the right one shows what
// the file holds before anything changes, and confirming applies it (restart pending).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../bridge/backup/bundle.js';
import { loadConfig } from '../../bridge/config.js';
import { profileDirOf } from '../../bridge/engine/profile.js';
import { ar } from '../../renderer/src/i18n/ar.js';
import { en } from '../../renderer/src/i18n/en.js';
import { tempDir } from '../helpers/bridge.js';
import { fakeProfile, silent } from '../snapshots/kit.js';
import { startUi, type UiKit } from './kit.js';

const PASS = 'correct horse battery';
let kit: UiKit;
beforeAll(async () => {
  kit = await startUi();
  await kit.api('POST', '/api/devices', { name: 'Shop phone' });
  await kit.connect(1);
  fakeProfile(profileDirOf(kit.dataDir, 1), { marker: 'slot-1' });
});
afterAll(() => kit?.close());

describe('backups in the admin app', () => {
  it('a slot card backs up now and shows when', async () => {
    const page = await kit.page();
    await page.goto(kit.bridge.url + '/');
    const card = page.locator('[data-testid=slot-card][data-slot="1"]');
    await expect.poll(() => card.locator('[data-testid=slot-backup-last]').textContent()).toBe(en.backupNone);
    await card.locator('[data-testid=slot-backup-now]').click();
    await expect.poll(() => card.locator('[data-testid=slot-backup-last]').textContent()).toMatch(/^Last backup /);
    const list = await kit.api<{ snapshots: unknown[] }>('GET', '/api/slots/1/snapshots');
    expect(list.snapshots).toHaveLength(1);
    await page.close();
  });

  it('restore from file: wrong passphrase named, contents shown before applying, then applied', async () => {
    const file = path.join(tempDir('wab-ui-'), 'shop.wabackup');
    await createBackup(loadConfig({}, { dataDir: kit.dataDir, engine: 'demo' }), file, PASS, silent);
    const page = await kit.page();
    await page.goto(kit.bridge.url + '/');
    await page.click('[data-testid=nav-settings]');
    const restore = page.locator('[data-testid=restore-backup]');
    await restore.locator('[data-testid=restore-file]').setInputFiles(file);

    await restore.locator('[data-testid=restore-passphrase]').fill('not the passphrase');
    await restore.locator('[data-testid=restore-open]').click();
    await expect.poll(() => restore.locator('[data-testid=restore-error]').textContent()).toMatch(/wrong passphrase/);
    expect(await restore.locator('[data-testid=restore-preview]').count()).toBe(0);

    await restore.locator('[data-testid=restore-passphrase]').fill(PASS);
    await restore.locator('[data-testid=restore-open]').click();
    const preview = restore.locator('[data-testid=restore-preview]');
    await preview.waitFor();
    expect(await preview.locator('[data-testid=restore-devices]').textContent()).toBe('1 paired phone(s), 0 queued message(s)');
    expect(await preview.locator('[data-testid=restore-slot-1]').textContent()).toMatch(/^Number 1: \+\d+, session of .+ \(\d+(\.\d+)? [kKM]i?B\)$/);
    expect(await preview.locator('[data-testid=restore-archive]').textContent()).toMatch(/^Message archive: \d/);
    // Shown, not applied.
    expect((await kit.api<{ restorePending: boolean }>('GET', '/api/health')).restorePending).toBe(false);

    await preview.locator('[data-testid=restore-apply]').click();
    await expect.poll(() => restore.locator('[data-testid=restore-done]').textContent()).toContain(en.restoreDone);
    expect(await restore.locator('[data-testid=restore-preview]').count()).toBe(0);
    expect((await kit.api<{ restorePending: boolean }>('GET', '/api/health')).restorePending).toBe(true);
    expect(fs.existsSync(path.join(kit.dataDir, 'restore-pending', 'bridge.db'))).toBe(true);
    await page.close();
  });

  it('reads in Arabic too', async () => {
    const page = await kit.page({ lang: 'ar' });
    await page.goto(kit.bridge.url + '/');
    await page.click('[data-testid=nav-settings]');
    expect(await page.locator('#restore-title').textContent()).toBe(ar.restoreTitle);
    expect(await page.locator('[data-testid=restore-open]').textContent()).toContain(ar.restoreOpen);
    await page.close();
  });
});
