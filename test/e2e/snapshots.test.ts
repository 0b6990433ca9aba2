// Session snapshots with the real whatsapp-web.js and Chromium on the simulator (issue 12):
// pair → snapshot → delete the profile → restart → READY as the same account with no QR; the
// wrong key leaves the slot on a QR with a clear lastError and deletes nothing.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { sweepOrphanBrowsers } from '../../bridge/engine/chromium/index.js';
import { profileDirOf } from '../../bridge/engine/profile.js';
import type { ConfigInput } from '../../bridge/config.js';
import { startBridge, tempDir, waitFor, WsClient, type TestBridge } from '../helpers/bridge.js';
import { simForSlot } from '../wa-sim/control.js';
import { prepareSimulatorCache, type SimulatorCache } from '../wa-sim/index.js';

const PHONE = '15550003001';
let cache: SimulatorCache;
const key = randomBytes(32).toString('base64');

function engineConfig(dataDir: string, extra: ConfigInput = {}): ConfigInput {
  return {
    dataDir,
    engine: 'wwebjs',
    slots: 1,
    chromePath: '/usr/bin/chromium',
    webVersion: cache.webVersion,
    webCacheDir: cache.webCacheDir,
    reconnectDelayMs: 1000,
    sessionKey: key,
    snapshotFirstDelayMs: 600_000,
    ...extra,
  };
}

type SlotRow = { slot: number; ready: boolean; state: string; phone: string | null; lastError: string | null };
const slotOne = async (t: TestBridge) => ((await t.http.get('/api/slots').set('apikey', t.token).expect(200)).body as SlotRow[])[0]!;

beforeAll(() => {
  cache = prepareSimulatorCache(tempDir('wab-snap-e2e-cache-'), { qrIntervalMs: 5000 });
});

describe('session snapshots on the simulator', () => {
  let dataDir: string;
  let t: TestBridge | null = null;

  afterAll(async () => {
    await t?.stop();
    if (dataDir) await sweepOrphanBrowsers(dataDir, pino({ level: 'silent' }));
  });

  it('pair, snapshot, delete the profile, restart: READY as the same account without a QR', async () => {
    dataDir = tempDir('wab-snap-e2e-');
    t = await startBridge(engineConfig(dataDir));
    await t.http.post('/api/connect').set('apikey', t.token).send({ slot: 1 }).expect(200);
    const sim = await simForSlot(dataDir, 1, { timeoutMs: 60_000 });
    await sim.waitForQr();
    await sim.scanQr({ phone: PHONE, pushname: 'Snapshot shop' });
    const api = t;
    await waitFor(async () => (await slotOne(api)).ready, 60_000, 'slot 1 READY after the scan');
    await sim.disconnect();

    const taken = await t.http.post('/api/slots/1/snapshot').set('apikey', t.token).expect(200);
    expect(taken.body.snapshot).toMatchObject({ wid: `${PHONE}@c.us`, reason: 'manual', store: 'local' });
    expect(taken.body.snapshot.bytes).toBeGreaterThan(1024);
    await t.stop();
    t = null;

    fs.rmSync(profileDirOf(dataDir, 1), { recursive: true, force: true });
    t = await startBridge(engineConfig(dataDir));
    const ws = await WsClient.open(t.bridge.url, t.token);
    const again = t;
    await waitFor(async () => (await slotOne(again)).ready, 90_000, 'slot 1 READY from the snapshot');
    expect(await slotOne(again)).toMatchObject({ phone: PHONE, state: 'READY', lastError: null });
    expect(ws.frames.filter((f) => f.type === 'qr')).toEqual([]);
    const metrics = await again.http.get('/metrics').set('apikey', again.token).expect(200);
    expect(metrics.text).toMatch(/wa_snapshot_restores_total\{slot="1",outcome="restored"\} 1/);
    ws.close();
  });

  it('with the wrong key: a QR with a clear lastError, and the snapshots are still there', async () => {
    await t!.stop();
    t = null;
    const before = fs.readdirSync(path.join(dataDir, 'snapshots', 'slot-1')).sort();
    fs.rmSync(profileDirOf(dataDir, 1), { recursive: true, force: true });
    t = await startBridge(engineConfig(dataDir, { sessionKey: randomBytes(32).toString('base64') }));
    const api = t;
    const row = await waitFor(async () => {
      const r = await slotOne(api);
      return r.state === 'QR' ? r : null;
    }, 60_000, 'slot 1 waiting for a QR');
    expect(row.lastError).toMatch(/^restore from snapshot failed: .*another session key/);
    expect(fs.readdirSync(path.join(dataDir, 'snapshots', 'slot-1')).sort()).toEqual(before);
    const health = await api.http.get('/api/health').set('apikey', api.token).expect(200);
    expect(health.body.slots[0].snapshot.lastError).toMatch(/another session key/);
  });
});
