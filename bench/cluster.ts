// `npm run bench -- cluster`: two bridge processes with the real whatsapp-web.js on the WhatsApp
// Web simulator, sharing a fresh MariaDB database. Pairs slot 1 once, then measures
// BENCH_ROUNDS planned moves (POST /api/cluster/slots/1/move → READY on the target) and
// BENCH_ROUNDS failovers (kill -9 of the owner → its Chromium gone → READY on the other node,
// no QR); the killed node is started again between rounds. Lease TTL: BENCH_TTL_MS (10 s).
// BENCH_LOG=1 prints both nodes' lease and launch log lines after the moves (where the time goes);
// BENCH_MOVES_ONLY=1 stops after the moves.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../bridge/engine/chromium/processes.js';
import { createTestDatabase } from '../test/archive/mysql-kit.js';
import { killAll, startBridgeProcess, TOKEN, type BridgeProcess } from '../test/helpers/process.js';
import { browserInfoPath, simForSlot } from '../test/wa-sim/control.js';
import { prepareSimulatorCache } from '../test/wa-sim/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TTL_MS = Number(process.env.BENCH_TTL_MS ?? 10_000);
const RENEW_MS = Math.min(2000, Math.floor(TTL_MS / 5));
const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));
const cache = prepareSimulatorCache(tmp('wab-bench-cluster-cache-'), { qrIntervalMs: 20_000 });
const sessionKey = randomBytes(32).toString('base64');

interface Node {
  name: string;
  dataDir: string;
  proc: BridgeProcess;
  id: string;
}

async function waitFor<T>(check: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function slotOne(n: Node): Promise<{ ready: boolean; state: string; phone: string | null } | null> {
  try {
    const res = await fetch(`${n.proc.url}/api/slots`, { headers: { apikey: TOKEN }, signal: AbortSignal.timeout(2000) });
    return ((await res.json()) as { ready: boolean; state: string; phone: string | null }[])[0] ?? null;
  } catch {
    return null;
  }
}

const browserPid = (n: Node) => (JSON.parse(fs.readFileSync(browserInfoPath(n.dataDir, 1), 'utf8')) as { pid: number }).pid;

function stats(label: string, ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const p50 = sorted[Math.floor((sorted.length - 1) / 2)]!;
  console.log(`${label}: p50 ${(p50 / 1000).toFixed(2)} s, min ${(sorted[0]! / 1000).toFixed(2)} s, max ${(sorted.at(-1)! / 1000).toFixed(2)} s (n=${ms.length})`);
}

async function main() {
  const db = await createTestDatabase();
  const env = {
    LOG_LEVEL: process.env.BENCH_LOG ? 'info' : 'warn',
    WA_BRIDGE_ENGINE: 'wwebjs',
    WA_BRIDGE_SLOTS: '1',
    CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    WA_BRIDGE_WEB_VERSION: cache.webVersion,
    WA_BRIDGE_WEB_CACHE_DIR: cache.webCacheDir,
    WA_BRIDGE_CLUSTER: '1',
    WA_BRIDGE_CLUSTER_KEY: 'bench-cluster-key-0123456789',
    WA_BRIDGE_DB_URL: db.url(),
    WA_BRIDGE_SESSION_KEY: sessionKey,
    WA_BRIDGE_LEASE_TTL_MS: String(TTL_MS),
    WA_BRIDGE_LEASE_RENEW_MS: String(RENEW_MS),
    WA_BRIDGE_FENCE_MARGIN_MS: String(Math.floor(TTL_MS / 5)),
    WA_BRIDGE_STANDBY_POLL_MS: String(Math.min(1000, RENEW_MS)),
    WA_BRIDGE_SNAPSHOT_FIRST_DELAY_MS: '1000',
  };
  const start = async (name: string, dataDir = tmp(`wab-bench-cluster-${name}-`)): Promise<Node> => {
    const proc = await startBridgeProcess(dataDir, { env: { ...env, WA_BRIDGE_NODE_NAME: name } });
    const health = (await (await fetch(`${proc.url}/api/health`, { headers: { apikey: TOKEN } })).json()) as { node: { id: string } };
    return { name, dataDir, proc, id: health.node.id };
  };
  const nodes = [await start('bench-a'), await start('bench-b')];
  const readyOn = (among: Node[], timeoutMs: number) =>
    waitFor(async () => {
      for (const n of among) if ((await slotOne(n))?.ready) return n;
      return null;
    }, timeoutMs, 'slot 1 READY');
  try {
    await nodes[0]!.proc.http.post('/api/connect').set('apikey', TOKEN).send({ slot: 1 }).expect(200);
    const owner = await waitFor(async () => {
      for (const n of nodes) if ((await slotOne(n))?.state === 'QR') return n;
      return null;
    }, 120_000, 'a QR on some node');
    const sim = await simForSlot(owner.dataDir, 1, { timeoutMs: 60_000 });
    await sim.waitForQr();
    await sim.scanQr({ phone: '15550019001', pushname: 'Bench shop' });
    await readyOn([owner], 120_000);
    await sim.disconnect();
    await waitFor(async () => (await db.query('SELECT id FROM session_snapshots WHERE slot = 1'))[0], 60_000, 'first snapshot');
    console.log(`TTL ${TTL_MS} ms, renew ${RENEW_MS} ms; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

    const moves: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const from = await readyOn(nodes, 30_000);
      const to = nodes.find((n) => n !== from)!;
      const t0 = performance.now();
      await to.proc.http.post('/api/cluster/slots/1/move').set('apikey', TOKEN).send({ node: to.id }).expect(202);
      await readyOn([to], 60_000);
      moves.push(performance.now() - t0);
    }
    stats('planned move (request → READY on the target)', moves);
    if (process.env.BENCH_LOG) {
      for (const n of nodes) {
        for (const line of n.proc.output().split('\n')) {
          if (!/lease|moving|snapshot|READY|browser launched|restored/.test(line)) continue;
          try {
            const j = JSON.parse(line) as { time: number; msg: string; slot?: number };
            console.log(n.name, new Date(j.time).toISOString().slice(11, 23), j.msg);
          } catch {
            // not a log line
          }
        }
      }
    }
    if (process.env.BENCH_MOVES_ONLY) return;

    const browserGone: number[] = [];
    const failovers: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const owner = await readyOn(nodes, 60_000);
      const other = nodes.find((n) => n !== owner)!;
      const pid = browserPid(owner);
      const t0 = performance.now();
      owner.proc.child.kill('SIGKILL');
      await waitFor(async () => !isAlive(pid), 10_000, 'old Chromium gone');
      browserGone.push(performance.now() - t0);
      await readyOn([other], TTL_MS + 120_000);
      failovers.push(performance.now() - t0);
      if ((await slotOne(other))?.phone !== '15550019001') throw new Error('the other node runs another account');
      await owner.proc.exited;
      nodes[nodes.indexOf(owner)] = await start(owner.name, owner.dataDir);
    }
    stats('kill -9 → old Chromium gone', browserGone);
    stats(`kill -9 → READY on the other node (TTL ${TTL_MS / 1000} s)`, failovers);
  } finally {
    for (const n of nodes) n.proc.child.kill('SIGTERM');
    await Promise.race([Promise.all(nodes.map((n) => n.proc.exited)), new Promise((r) => setTimeout(r, 15_000))]);
    killAll();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    killAll();
    process.exit(1);
  },
);
