// Restore from file through the API (the admin app's Settings → Backup): inspect shows what an
// uploaded backup holds and changes nothing; restore applies it (snapshots re-sealed with this
// bridge's own session key at once, the state database at the next start); bad files, wrong
// passphrases, oversized uploads and unknown ids get clear 4xx answers and leave nothing behind.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackup } from '../../bridge/backup/bundle.js';
import { loadConfig } from '../../bridge/config.js';
import { profileDirOf } from '../../bridge/engine/profile.js';
import { connectSlot, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { fakeProfile, IDB, silent } from '../snapshots/kit.js';

const PASS = 'correct horse battery';
let running: TestBridge[] = [];
afterEach(async () => {
  for (const t of running) await t.stop();
  running = [];
});

async function start(overrides: Parameters<typeof startBridge>[0] = {}) {
  const t = await startBridge(overrides);
  running.push(t);
  return t;
}

/** A bridge with one paired phone and snapshots of slots 1 and 2, and its backup file. */
async function backupOfPairedBridge() {
  const t = await start();
  const device = (await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'Shop phone' }).expect(201)).body.token as string;
  for (const slot of [1, 2]) {
    await connectSlot(t, slot);
    fakeProfile(profileDirOf(t.dataDir, slot), { marker: `slot-${slot}` });
    await t.http.post(`/api/slots/${slot}/snapshot`).set('apikey', t.token).expect(200);
  }
  const file = path.join(tempDir('wab-upload-'), 'shop.wabackup');
  await createBackup(loadConfig({}, { dataDir: t.dataDir, engine: 'demo' }), file, PASS, silent);
  await t.stop();
  running = running.filter((r) => r !== t);
  return { file, device };
}

const tmpLeft = (dataDir: string) => (fs.existsSync(path.join(dataDir, 'tmp')) ? fs.readdirSync(path.join(dataDir, 'tmp')) : []);

describe('POST /api/backup/inspect and /api/backup/restore', () => {
  it('are admin only', async () => {
    const t = await start();
    const device = (await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'Phone' }).expect(201)).body.token as string;
    for (const url of ['/api/backup/inspect', '/api/backup/restore']) {
      expect((await t.http.post(url).expect(401)).body.error.code).toBe('UNAUTHORIZED');
      expect((await t.http.post(url).set('apikey', device).send({}).expect(403)).body.error.code).toBe('FORBIDDEN');
    }
  });

  it('shows what the file holds without applying it, then applies it on confirmation', async () => {
    const { file, device } = await backupOfPairedBridge();
    const b = await start();
    await b.http.get('/api/slots').set('apikey', device).expect(401);

    const opened = await b.http.post('/api/backup/inspect').set('apikey', b.token).field('passphrase', PASS).attach('file', file).expect(200);
    expect(opened.body).toMatchObject({
      success: true,
      restoreId: expect.stringMatching(/^[0-9a-f]{24}$/),
      fileBytes: fs.statSync(file).size,
      archiveBytes: expect.any(Number),
      stateBytes: expect.any(Number),
      manifest: { devices: 1, archive: 'sqlite', settings: expect.any(Boolean), slots: [{ slot: 1, wid: expect.stringMatching(/@c\.us$/) }, { slot: 2 }] },
    });
    expect(opened.body.archiveBytes).toBeGreaterThan(0);
    // Nothing applied yet.
    expect((await b.http.get('/api/slots/1/snapshots').set('apikey', b.token)).body.snapshots).toEqual([]);
    expect((await b.http.get('/api/health').set('apikey', b.token)).body.restorePending).toBe(false);
    expect(tmpLeft(b.dataDir).filter((n) => !n.startsWith('restore-'))).toEqual([]); // the upload itself is gone

    const applied = await b.http.post('/api/backup/restore').set('apikey', b.token).send({ restoreId: opened.body.restoreId }).expect(200);
    expect(applied.body).toMatchObject({ success: true, restartRequired: true, warnings: [] });
    expect(applied.body.restored).toEqual(expect.arrayContaining(['snapshot of slot 1', 'snapshot of slot 2', 'bridge.db (at the next start)', 'archive.db (at the next start)']));
    expect((await b.http.get('/api/slots/1/snapshots').set('apikey', b.token)).body.snapshots).toHaveLength(1);
    expect((await b.http.get('/api/health').set('apikey', b.token)).body.restorePending).toBe(true);
    // Applied once: the id is spent.
    expect((await b.http.post('/api/backup/restore').set('apikey', b.token).send({ restoreId: opened.body.restoreId }).expect(404)).body.error.code).toBe('NOT_FOUND');
    const audit = await b.http.get('/api/audit').set('apikey', b.token).expect(200);
    expect(JSON.stringify(audit.body)).toContain('restore');
    // Opened again but never applied: its decrypted copy must not outlive the run.
    await b.http.post('/api/backup/inspect').set('apikey', b.token).field('passphrase', PASS).attach('file', file).expect(200);
    expect(tmpLeft(b.dataDir).filter((n) => n.startsWith('restore-'))).toHaveLength(1);
    await b.stop();
    running = running.filter((r) => r !== b);

    // Next start: the phone's token is valid, the owner's admin token still works, and the
    // connected slots come back from their (re-sealed) snapshots without a QR.
    const again = await start({ dataDir: b.dataDir });
    expect(again.token).toBe(b.token);
    await again.http.get('/api/slots').set('apikey', device).expect(200);
    expect((await again.http.get('/api/health').set('apikey', again.token)).body.restorePending).toBe(false);
    expect(tmpLeft(again.dataDir).filter((n) => n.startsWith('restore-'))).toEqual([]);
    await waitFor(async () => (await again.http.get('/api/slots').set('apikey', again.token)).body.filter((s: { ready: boolean }) => s.ready).length === 2, 15_000, 'slots 1 and 2 back');
    for (const slot of [1, 2]) expect(fs.readFileSync(path.join(profileDirOf(again.dataDir, slot), IDB, 'marker'), 'utf8')).toBe(`slot-${slot}`);
  }, 60_000);

  it('answers bad files, passphrases and ids with clear 4xx errors and keeps nothing', async () => {
    const { file } = await backupOfPairedBridge();
    const b = await start({ backupMaxMb: 1 });
    const inspect = () => b.http.post('/api/backup/inspect').set('apikey', b.token);
    const dir = tempDir('wab-bad-');
    const write = (name: string, data: Buffer | string) => (fs.writeFileSync(path.join(dir, name), data), path.join(dir, name));

    const wrong = await inspect().field('passphrase', 'not the passphrase').attach('file', file).expect(400);
    expect(wrong.body.error).toEqual({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/^file: wrong passphrase, or the backup file is damaged/) });

    const damaged = fs.readFileSync(file);
    damaged[Math.floor(damaged.length / 2)]! ^= 0x40;
    expect((await inspect().field('passphrase', PASS).attach('file', write('damaged', damaged)).expect(400)).body.error.message).toMatch(/damaged/);
    expect((await inspect().field('passphrase', PASS).attach('file', write('foreign', 'PK\x03\x04 a zip file')).expect(400)).body.error.message).toMatch(/not a WA Bridge backup file/);
    expect((await inspect().field('passphrase', PASS).attach('file', write('cut', fs.readFileSync(file).subarray(0, 40))).expect(400)).body.error.message).toMatch(/truncated|damaged/);

    const big = await inspect().field('passphrase', PASS).attach('file', write('big', Buffer.alloc(1024 * 1024 + 1))).expect(413);
    expect(big.body.error).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('over 1 MiB') });

    expect((await inspect().field('passphrase', PASS).expect(400)).body.error.message).toMatch(/^file is required/);
    expect((await inspect().attach('file', file).expect(400)).body.error.message).toMatch(/passphrase/);
    expect((await inspect().field('passphrase', 'short').attach('file', file).expect(400)).body.error.message).toMatch(/at least 8/);
    expect((await inspect().send({ passphrase: PASS }).expect(400)).body.error.message).toMatch(/multipart form/);
    expect((await inspect().field('passphrase', PASS).attach('file', file).attach('other', file).expect(400)).body.error.code).toBe('VALIDATION_ERROR');

    const restore = (body: unknown) => b.http.post('/api/backup/restore').set('apikey', b.token).send(body as object);
    expect((await restore({}).expect(400)).body.error.message).toMatch(/restoreId/);
    expect((await restore({ restoreId: '../../etc' }).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    expect((await restore({ restoreId: 'a'.repeat(24) }).expect(404)).body.error.code).toBe('NOT_FOUND');

    // Nothing uploaded or unpacked is left behind, and nothing was applied.
    expect(tmpLeft(b.dataDir)).toEqual([]);
    expect((await b.http.get('/api/health').set('apikey', b.token)).body.restorePending).toBe(false);
    expect((await b.http.get('/api/slots/1/snapshots').set('apikey', b.token)).body.snapshots).toEqual([]);
  }, 60_000);
});
