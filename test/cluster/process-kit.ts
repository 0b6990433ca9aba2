// Cluster nodes as real bridge processes on loopback sharing one MariaDB database, each through
// its own TCP proxy (so a test can cut one off), for `npm run test:cluster` (test/cluster-e2e/).
// Engine `wwebjs` runs real whatsapp-web.js + Chromium on the simulator; `demo` is the cheap
// stand-in for tests about routing and the database rather than WhatsApp Web.
import fs from 'node:fs';
import { isAlive } from '../../bridge/engine/chromium/processes.js';
import { createTestDatabase, TcpProxy } from '../archive/mysql-kit.js';
import { tempDir, WsClient } from '../helpers/bridge.js';
import { freePort, killAll, startBridgeProcess, TOKEN, type BridgeProcess } from '../helpers/process.js';
import { browserInfoPath } from '../wa-sim/control.js';
import type { SimulatorCache } from '../wa-sim/index.js';

export { TOKEN };
export type TestDb = Awaited<ReturnType<typeof createTestDatabase>>;

export const CLUSTER_KEY = 'cluster-e2e-key-0123456789';

export interface ProcessNode {
  name: string;
  dataDir: string;
  proc: BridgeProcess;
  /** An admin WebSocket opened at start (sees every frame since). */
  ws: WsClient;
  /** This node's own path to MariaDB. */
  proxy: TcpProxy;
}

export interface NodeOptions {
  /** `wwebjs` needs the simulator cache. */
  sim?: SimulatorCache;
  slots?: number;
  ttlMs?: number;
  env?: Record<string, string>;
  /** Another entry script than bridge/main.ts (e.g. newer-release.ts). */
  entry?: string;
}

/** Starts cluster nodes on one database; `stop()` ends them all and drops nothing (the caller owns the db). */
export function processCluster(db: TestDb, sessionKey: string) {
  const nodes: ProcessNode[] = [];
  return {
    nodes,
    async start(name: string, opts: NodeOptions = {}): Promise<ProcessNode> {
      const dataDir = tempDir(`wab-cluster-${name}-`);
      const proxy = new TcpProxy();
      await proxy.restore();
      const port = await freePort();
      const ttl = opts.ttlMs ?? 5000;
      const engine: Record<string, string> = opts.sim
        ? {
            WA_BRIDGE_ENGINE: 'wwebjs',
            CHROME_PATH: '/usr/bin/chromium',
            WA_BRIDGE_WEB_VERSION: opts.sim.webVersion,
            WA_BRIDGE_WEB_CACHE_DIR: opts.sim.webCacheDir,
          }
        : { WA_BRIDGE_ENGINE: 'demo' };
      const proc = await startBridgeProcess(dataDir, {
        port,
        entry: opts.entry,
        env: {
          LOG_LEVEL: 'info',
          ...engine,
          WA_BRIDGE_SLOTS: String(opts.slots ?? 1),
          WA_BRIDGE_CLUSTER: '1',
          WA_BRIDGE_CLUSTER_KEY: CLUSTER_KEY,
          WA_BRIDGE_NODE_NAME: name,
          WA_BRIDGE_ADVERTISE_URL: `http://127.0.0.1:${port}`,
          WA_BRIDGE_DB_URL: db.url(proxy.port),
          WA_BRIDGE_SESSION_KEY: sessionKey,
          WA_BRIDGE_LEASE_TTL_MS: String(ttl),
          WA_BRIDGE_LEASE_RENEW_MS: String(Math.round(ttl / 5)),
          WA_BRIDGE_FENCE_MARGIN_MS: String(Math.round((ttl * 2) / 5)),
          WA_BRIDGE_STANDBY_POLL_MS: '500',
          WA_BRIDGE_SNAPSHOT_FIRST_DELAY_MS: '1000',
          WA_BRIDGE_RECONNECT_DELAY_MS: '1000',
          ...opts.env,
        },
      });
      const ws = await WsClient.open(proc.url, TOKEN);
      const node = { name, dataDir, proc, ws, proxy };
      nodes.push(node);
      return node;
    },
    /** SIGCONT, SIGTERM (15 s grace), then kill -9 what is left and any browser a node left. */
    async stop(): Promise<void> {
      for (const n of nodes) n.ws.close();
      for (const n of nodes) {
        try {
          process.kill(n.proc.child.pid!, 'SIGCONT');
        } catch {
          // gone
        }
        n.proc.child.kill('SIGTERM');
      }
      await Promise.race([Promise.all(nodes.map((n) => n.proc.exited)), new Promise((r) => setTimeout(r, 15_000))]);
      killAll();
      for (const n of nodes) await n.proxy.cut();
      for (const n of nodes) {
        for (let slot = 1; slot <= 6; slot++) {
          const pid = browserPid(n, slot);
          if (pid && isAlive(pid)) process.kill(-pid, 'SIGKILL');
        }
      }
    },
  };
}

export type SlotRow = { slot: number; ready: boolean; state: string; phone: string | null };

/** A node's own view of a slot; null when it does not answer in time (frozen or dead). */
export async function slotOn(n: ProcessNode, slot = 1): Promise<SlotRow | null> {
  try {
    const res = await fetch(`${n.proc.url}/api/slots`, { headers: { apikey: TOKEN }, signal: AbortSignal.timeout(1500) });
    return ((await res.json()) as SlotRow[]).find((r) => r.slot === slot) ?? null;
  } catch {
    return null;
  }
}

/** The pid of the Chromium a node runs (or last ran) for a slot. */
export function browserPid(n: ProcessNode, slot = 1): number | null {
  try {
    return (JSON.parse(fs.readFileSync(browserInfoPath(n.dataDir, slot), 'utf8')) as { pid: number }).pid;
  } catch {
    return null;
  }
}
