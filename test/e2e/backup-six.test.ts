// Issue 12's last "Done when": six slots paired on the simulator, a whole-bridge backup, restored
// into a new data dir: every slot READY as its own account without a QR, the phone's token valid.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createBackup, restoreBackup } from '../../bridge/backup/bundle.js';
import { loadConfig, type ConfigInput } from '../../bridge/config.js';
import { sweepOrphanBrowsers } from '../../bridge/engine/chromium/index.js';
import { startBridge, tempDir, waitFor, WsClient, type TestBridge } from '../helpers/bridge.js';
import { simForSlot } from '../wa-sim/control.js';
import { prepareSimulatorCache, type SimulatorCache } from '../wa-sim/index.js';

const SLOTS = 6;
const silent = pino({ level: 'silent' });
const phoneOf = (n: number) => `1555000500${n}`;
let cache: SimulatorCache;

function engineConfig(dataDir: string): ConfigInput {
  return { dataDir, engine: 'wwebjs', slots: SLOTS, chromePath: '/usr/bin/chromium', webVersion: cache.webVersion, webCacheDir: cache.webCacheDir, snapshotFirstDelayMs: 600_000 };
}

type SlotRow = { slot: number; ready: boolean; phone: string | null };
const slotsOf = async (t: TestBridge) => (await t.http.get('/api/slots').set('apikey', t.token).expect(200)).body as SlotRow[];

beforeAll(() => {
  cache = prepareSimulatorCache(tempDir('wab-backup-e2e-cache-'), { qrIntervalMs: 20_000 });
});

describe('whole-bridge backup of six paired slots, restored on a new data dir', () => {
  const dirs: string[] = [];
  let b: TestBridge | null = null;
  afterAll(async () => {
    await b?.stop();
    for (const dir of dirs) await sweepOrphanBrowsers(dir, silent);
  });

  it('all six READY as their own accounts, no QR, the phone’s token still valid', async () => {
    const dirA = tempDir('wab-backup-e2e-a-');
    dirs.push(dirA);
    const a = await startBridge(engineConfig(dirA));
    let device = '';
    try {
      device = (await a.http.post('/api/devices').set('apikey', a.token).send({ name: 'Shop phone' }).expect(201)).body.token;
      for (let n = 1; n <= SLOTS; n++) await a.http.post('/api/connect').set('apikey', a.token).send({ slot: n }).expect(200);
      await Promise.all(
        Array.from({ length: SLOTS }, async (_, i) => {
          const sim = await simForSlot(dirA, i + 1, { timeoutMs: 90_000 });
          await sim.waitForQr({ timeoutMs: 90_000 });
          await sim.scanQr({ phone: phoneOf(i + 1), pushname: `Slot ${i + 1}` });
          await sim.disconnect();
        }),
      );
      await waitFor(async () => (await slotsOf(a)).every((s) => s.ready), 150_000, 'six READY on A');
      for (let n = 1; n <= SLOTS; n++) await a.http.post(`/api/slots/${n}/snapshot`).set('apikey', a.token).expect(200);
    } finally {
      await a.stop();
    }

    const file = path.join(tempDir('wab-backup-e2e-file-'), 'shop.wabackup');
    const manifest = await createBackup(loadConfig({}, engineConfig(dirA)), file, 'six slots passphrase', silent);
    expect(manifest.slots.map((s) => [s.slot, s.wid])).toEqual(Array.from({ length: SLOTS }, (_, i) => [i + 1, `${phoneOf(i + 1)}@c.us`]));
    const dirB = tempDir('wab-backup-e2e-b-');
    dirs.push(dirB);
    await restoreBackup(loadConfig({}, engineConfig(dirB)), file, 'six slots passphrase', { logger: silent });
    expect(fs.existsSync(path.join(dirB, 'sessions'))).toBe(false);

    b = await startBridge(engineConfig(dirB));
    const api = b;
    const ws = await WsClient.open(api.bridge.url, api.token);
    await waitFor(async () => (await slotsOf(api)).every((s) => s.ready), 180_000, 'six READY on the restored data dir');
    expect((await slotsOf(api)).map((s) => s.phone)).toEqual(Array.from({ length: SLOTS }, (_, i) => phoneOf(i + 1)));
    expect(ws.frames.filter((f) => f.type === 'qr')).toEqual([]);
    await api.http.get('/api/slots').set('apikey', device).expect(200);
    ws.close();
  }, 420_000);
});
