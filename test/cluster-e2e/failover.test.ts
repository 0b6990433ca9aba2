// Cluster failover with the real whatsapp-web.js and Chromium on the simulator: three bridge
// processes share one MariaDB database (npm run test:cluster; minutes, not in npm test).
// kill -9 of the owner: its Chromium dies with it (lifeline), another node has the slot READY as
// the same account without a QR. SIGSTOP of the owner past the TTL: its page leaves WhatsApp by
// itself (dead-man switch) before the lease expires, a third node takes over; on
// SIGCONT the old owner self-fences, kills its browser and writes no snapshot. The owner cut off
// from the database (its TCP proxy closed) self-fences; the slot is never READY on two nodes.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer from 'puppeteer-core';
import { isAlive } from '../../bridge/engine/chromium/processes.js';
import { createTestDatabase } from '../archive/mysql-kit.js';
import { browserPid, processCluster, slotOn, TOKEN, type ProcessNode } from '../cluster/process-kit.js';
import { tempDir, waitFor } from '../helpers/bridge.js';
import { browserInfoPath, simForSlot } from '../wa-sim/control.js';
import { prepareSimulatorCache, type SimulatorCache } from '../wa-sim/index.js';

const PHONE = '15550013001';
const TTL_MS = 5000;

type Node = ProcessNode;
const slotOne = (n: Node) => slotOn(n, 1);

describe('cluster failover on the simulator (three bridge processes)', () => {
  let cache: SimulatorCache;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let nodes: Node[] = [];
  const sessionKey = randomBytes(32).toString('base64');
  /** Every moment two answering nodes showed slot 1 READY. */
  const doubles: string[][] = [];
  let watching = true;
  let watcher: Promise<void> = Promise.resolve();

  let cluster: ReturnType<typeof processCluster>;
  const start = (name: string) => cluster.start(name, { sim: cache, ttlMs: TTL_MS });

  const readyNode = (among: Node[], timeoutMs: number) =>
    waitFor(async () => {
      const rows = await Promise.all(among.map(async (n) => [n, await slotOne(n)] as const));
      const ready = rows.filter(([, r]) => r?.ready).map(([n]) => n);
      return ready.length === 1 ? ready[0] : null;
    }, timeoutMs, 'slot 1 READY on one node');

  const qrFrames = (n: Node) => n.ws.frames.filter((f) => f.type === 'qr');

  beforeAll(async () => {
    cache = prepareSimulatorCache(tempDir('wab-cluster-cache-'), { qrIntervalMs: 5000 });
    db = await createTestDatabase();
    cluster = processCluster(db, sessionKey);
    nodes = cluster.nodes;
    await start('node-a');
    await start('node-b');
    await start('node-c');
    watcher = (async () => {
      while (watching) {
        const rows = await Promise.all(nodes.map(async (n) => [n.name, await slotOne(n)] as const));
        const ready = rows.filter(([, r]) => r?.ready).map(([name]) => name);
        if (ready.length > 1) doubles.push(ready);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  });

  afterAll(async () => {
    watching = false;
    await watcher;
    await cluster?.stop();
    await db?.drop();
  });

  it('pair once; kill -9 the owner: its Chromium dies, another node is READY as the same account without a QR', async () => {
    await nodes[0]!.proc.http.post('/api/connect').set('apikey', TOKEN).send({ slot: 1 }).expect(200);
    const owner = await waitFor(async () => {
      for (const n of nodes) if ((await slotOne(n))?.state === 'QR') return n;
      return null;
    }, 90_000, 'slot 1 waiting for a QR on some node');
    const sim = await simForSlot(owner.dataDir, 1, { timeoutMs: 60_000 });
    await sim.waitForQr();
    await sim.scanQr({ phone: PHONE, pushname: 'Cluster shop' });
    expect(await readyNode(nodes, 90_000)).toBe(owner);
    await sim.disconnect();
    await waitFor(async () => (await db.query('SELECT id FROM session_snapshots WHERE slot = 1'))[0], 60_000, 'a snapshot of slot 1 in MySQL');

    const oldBrowser = browserPid(owner)!;
    expect(isAlive(oldBrowser)).toBe(true);
    const others = nodes.filter((n) => n !== owner);
    const qrsBefore = others.map((n) => qrFrames(n).length);
    const killedAt = performance.now();
    owner.proc.child.kill('SIGKILL');
    await waitFor(() => !isAlive(oldBrowser), 10_000, 'the dead node\'s Chromium killed by its lifeline');
    const browserGoneMs = performance.now() - killedAt;
    const next = await readyNode(others, TTL_MS + 60_000);
    const readyMs = performance.now() - killedAt;
    console.log(`kill -9 → old Chromium dead ${Math.round(browserGoneMs)} ms; → READY on ${next.name} ${Math.round(readyMs)} ms`);
    expect(await slotOne(next)).toMatchObject({ ready: true, phone: PHONE });
    expect(others.map((n) => qrFrames(n).length)).toEqual(qrsBefore);
    expect(doubles).toEqual([]);
    nodes.splice(nodes.indexOf(owner), 1);
  });

  it('SIGSTOP the owner past the TTL: its page leaves WhatsApp, the third node takes over; on SIGCONT the old owner self-fences and writes nothing', async () => {
    const owner = await readyNode(nodes, 30_000);
    const other = nodes.find((n) => n !== owner)!;
    const frozenBrowser = browserPid(owner)!;
    const qrsBefore = qrFrames(other).length;
    const stoppedAt = Date.now();
    process.kill(owner.proc.child.pid!, 'SIGSTOP');
    // The frozen node cannot kill anything; its page leaves WhatsApp on its own (dead-man switch),
    // before the lease expires and the other node may start.
    const cdp = await puppeteer.connect({ browserWSEndpoint: (JSON.parse(fs.readFileSync(browserInfoPath(owner.dataDir, 1), 'utf8')) as { wsEndpoint: string }).wsEndpoint });
    try {
      await waitFor(async () => (await cdp.pages()).every((p) => !p.url().startsWith('https://web.whatsapp.com')), TTL_MS + 10_000, 'the frozen node\'s page left WhatsApp');
      expect((await slotOne(other))?.ready).toBe(false);
    } finally {
      await cdp.disconnect();
    }
    const next = await readyNode([other], TTL_MS + 60_000);
    expect(next).toBe(other);
    expect(await slotOne(other)).toMatchObject({ ready: true, phone: PHONE });
    expect(qrFrames(other).length).toBe(qrsBefore);
    const [{ fence: takenFence }] = await db.query<{ fence: number }[] & import('mysql2').RowDataPacket[]>('SELECT fence FROM slot_leases WHERE slot = 1');

    process.kill(owner.proc.child.pid!, 'SIGCONT');
    await waitFor(() => owner.proc.output().includes('lease lost: slot fenced'), 20_000, 'the resumed node fenced');
    await waitFor(() => !isAlive(frozenBrowser), 10_000, 'the resumed node killed its browser');
    await waitFor(async () => (await slotOne(owner))?.state === 'STOPPED', 20_000, 'slot 1 STOPPED on the resumed node');
    // Its snapshots, if it tried any, were refused: every snapshot since the freeze carries the new fence.
    const since = await db.query<import('mysql2').RowDataPacket[]>('SELECT fence FROM session_snapshots WHERE slot = 1 AND created_at >= ?', [stoppedAt]);
    expect(since.every((r) => Number(r.fence) >= Number(takenFence))).toBe(true);
    expect(await slotOne(other)).toMatchObject({ ready: true });
    expect(doubles.filter((d) => d.includes(owner.name) && d.includes(other.name))).toEqual([]);
  });

  it('the owner cut off from the database self-fences and kills its browser; the other node takes over; never READY twice', async () => {
    const owner = await readyNode(nodes, 60_000);
    const other = nodes.find((n) => n !== owner)!;
    const cutBrowser = browserPid(owner)!;
    const qrsBefore = qrFrames(other).length;
    await owner.proxy.cut();
    await waitFor(async () => (await slotOne(owner))?.state === 'STOPPED', 30_000, 'the cut node stopped slot 1');
    await waitFor(() => !isAlive(cutBrowser), 10_000, 'the cut node killed its browser');
    expect(await readyNode([other], TTL_MS + 60_000)).toBe(other);
    expect(await slotOne(other)).toMatchObject({ ready: true, phone: PHONE });
    expect(qrFrames(other).length).toBe(qrsBefore);
    await owner.proxy.restore();
    // Back on the database it drives nothing: the slot stays on the other node.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await slotOne(owner))?.state).toBe('STOPPED');
    expect((await slotOne(other))?.ready).toBe(true);
    expect(doubles).toEqual([]);
  });
});
