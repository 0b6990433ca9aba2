// Whole-bridge backup and restore on the demo engine: what the file holds, the passphrase, a
// damaged file, a fresh data dir brought back (tokens valid, snapshots in place), the CLI.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupError, createBackup, inspectBackup, restoreBackup } from '../../bridge/backup/bundle.js';
import { loadConfig } from '../../bridge/config.js';
import { profileDirOf } from '../../bridge/engine/profile.js';
import { connectSlot, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { fakeProfile, IDB, silent } from '../snapshots/kit.js';

const run = promisify(execFile);
const PASS = 'correct horse battery';
let running: TestBridge[] = [];
afterEach(async () => {
  for (const t of running) await t.stop();
  running = [];
});

async function pairedBridge() {
  const t = await startBridge();
  running.push(t);
  const device = (await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'Shop phone' }).expect(201)).body.token as string;
  for (const slot of [1, 2]) {
    await connectSlot(t, slot);
    fakeProfile(profileDirOf(t.dataDir, slot), { marker: `slot-${slot}` });
    await t.http.post(`/api/slots/${slot}/snapshot`).set('apikey', t.token).expect(200);
  }
  return { t, device };
}

const configOf = (dataDir: string) => loadConfig({}, { dataDir, engine: 'demo' });

describe('whole-bridge backup', () => {
  it('backs up a running bridge; a fresh data dir restored from it has valid tokens and the slots’ sessions', async () => {
    const { t, device } = await pairedBridge();
    const file = path.join(tempDir('wab-backup-'), 'shop.wabackup');
    const manifest = await createBackup(configOf(t.dataDir), file, PASS, silent);
    expect(manifest).toMatchObject({ devices: 1, archive: 'sqlite', slots: [{ slot: 1 }, { slot: 2 }] });
    expect(manifest.slots.every((s) => s.wid.endsWith('@c.us'))).toBe(true);
    expect(manifest.slotsWithout.map((s) => s.slot)).toEqual([3, 4, 5, 6]);
    // Nothing readable in the file: not the admin token, not the profile marker.
    const raw = fs.readFileSync(file);
    expect(raw.includes(Buffer.from(t.token))).toBe(false);
    expect(raw.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(fs.readdirSync(path.join(t.dataDir, 'tmp'))).toEqual([]);

    const fresh = tempDir('wab-restored-');
    await expect(inspectBackup(configOf(fresh), file, 'wrong passphrase')).rejects.toThrow(/wrong passphrase, or the backup file is damaged/);
    expect(await inspectBackup(configOf(fresh), file, PASS)).toEqual(manifest);
    const report = await restoreBackup(configOf(fresh), file, PASS, { logger: silent });
    expect(report.restored).toEqual(expect.arrayContaining(['bridge.db', 'admin-token', 'slot-accounts.json', 'session-key', 'archive.db', 'snapshot of slot 1', 'snapshot of slot 2']));
    expect(report.warnings).toEqual([]);
    await expect(restoreBackup(configOf(fresh), file, PASS, { logger: silent })).rejects.toThrow(/already holds a bridge/);
    await t.stop();

    const b = await startBridge({ dataDir: fresh });
    running.push(b);
    expect(b.token).toBe(t.token);
    await b.http.get('/api/slots').set('apikey', device).expect(200);
    // Slots that were connected come back, their profiles restored from the snapshots.
    await waitFor(async () => (await b.http.get('/api/slots').set('apikey', b.token)).body.filter((s: { ready: boolean }) => s.ready).length === 2, 15_000, 'slots 1 and 2 back');
    for (const slot of [1, 2]) expect(fs.readFileSync(path.join(profileDirOf(fresh, slot), IDB, 'marker'), 'utf8')).toBe(`slot-${slot}`);
  });

  it('refuses a damaged or foreign file, a short passphrase, a missing data dir', async () => {
    const { t } = await pairedBridge();
    const dir = tempDir('wab-backup-');
    const file = path.join(dir, 'b.wabackup');
    await expect(createBackup(configOf(t.dataDir), file, 'short', silent)).rejects.toThrow(/at least 8 characters/);
    await expect(createBackup(configOf(tempDir('wab-empty-')), file, PASS, silent)).rejects.toBeInstanceOf(BackupError);
    await createBackup(configOf(t.dataDir), file, PASS, silent);
    const damaged = fs.readFileSync(file);
    damaged[Math.floor(damaged.length / 2)]! ^= 0x40;
    fs.writeFileSync(path.join(dir, 'damaged'), damaged);
    const fresh = tempDir('wab-restored-');
    await expect(restoreBackup(configOf(fresh), path.join(dir, 'damaged'), PASS, { logger: silent })).rejects.toThrow(/damaged/);
    expect(fs.existsSync(path.join(fresh, 'bridge.db'))).toBe(false);
    fs.writeFileSync(path.join(dir, 'foreign'), 'PK\x03\x04 a zip file');
    await expect(inspectBackup(configOf(fresh), path.join(dir, 'foreign'), PASS)).rejects.toThrow(/not a WA Bridge backup/);
    await expect(inspectBackup(configOf(fresh), path.join(dir, 'missing'), PASS)).rejects.toThrow(/no such file/);
  });

  it('npm run backup / restore -- --dry-run', async () => {
    const { t } = await pairedBridge();
    const file = path.join(tempDir('wab-backup-'), 'cli.wabackup');
    const env = { PATH: process.env.PATH, WA_BRIDGE_DATA_DIR: t.dataDir, WA_BRIDGE_ENGINE: 'demo', WA_BRIDGE_BACKUP_PASSPHRASE: PASS };
    const made = await run(process.execPath, ['--import', 'tsx', 'bridge/backup/cli.ts', 'backup', file], { env });
    expect(made.stdout).toMatch(/^backup written to /);
    expect(made.stdout).toContain('1 paired phone(s)');
    const shown = await run(process.execPath, ['--import', 'tsx', 'bridge/backup/cli.ts', 'restore', file, '--dry-run'], { env });
    expect(shown.stdout).toMatch(/slot 1: \d+@c\.us, snapshot of/);
    const wrong = await run(process.execPath, ['--import', 'tsx', 'bridge/backup/cli.ts', 'restore', file], { env: { ...env, WA_BRIDGE_DATA_DIR: tempDir('wab-cli-'), WA_BRIDGE_BACKUP_PASSPHRASE: 'not the one' } }).catch((err: { code: number; stderr: string }) => err);
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringMatching(/wrong passphrase/) });
  }, 60_000);
});

describe('POST /api/backup', () => {
  it('admin only; a short passphrase is refused; the download restores like the CLI file', async () => {
    const { t, device } = await pairedBridge();
    await t.http.post('/api/backup').set('apikey', device).send({ passphrase: PASS }).expect(403);
    expect((await t.http.post('/api/backup').set('apikey', t.token).send({ passphrase: 'short' }).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    const res = await t.http
      .post('/api/backup')
      .set('apikey', t.token)
      .send({ passphrase: PASS })
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?wa-bridge-backup-.*\.wabackup"?$/);
    const file = path.join(tempDir('wab-dl-'), 'dl.wabackup');
    fs.writeFileSync(file, res.body as Buffer);
    const manifest = await inspectBackup(configOf(tempDir('wab-dl-into-')), file, PASS);
    expect(manifest.slots.map((s) => s.slot)).toEqual([1, 2]);
    expect(fs.readdirSync(path.join(t.dataDir, 'tmp')).filter((n) => n.endsWith('.wabackup'))).toEqual([]);
  });
});
