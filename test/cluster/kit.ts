// Test helpers for cluster mode on the demo engine: several in-process bridges sharing one fresh
// MariaDB database, each through its own TCP proxy (so a test can cut one node off the database).
import { randomBytes } from 'node:crypto';
import type { BridgeOptions } from '../../bridge/bridge.js';
import type { ConfigInput } from '../../bridge/config.js';
import { createTestDatabase, TcpProxy } from '../archive/mysql-kit.js';
import { startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';

export const CLUSTER_KEY = 'test-cluster-key-0123456789';

/**
 * Lease timings for tests: the production defaults (TTL 10 s, renew every 2 s, self-fence 2 s
 * before expiry, so an owner rides out ~6 s without a good renewal) with a quicker standby poll.
 * Shorter leases made a busy machine's owners self-fence in the middle of tests that are not
 * about failover; tests that are wait for the expiry instead.
 */
export const TEST_LEASES: ConfigInput = { leaseTtlMs: 10_000, leaseRenewMs: 2_000, fenceMarginMs: 2_000, standbyPollMs: 300 };

export interface ClusterNodeHandle extends TestBridge {
  name: string;
  id: string;
  proxy: TcpProxy;
}

export interface TestCluster {
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  nodes: ClusterNodeHandle[];
  sessionKey: string;
  add(name: string, overrides?: ConfigInput, options?: BridgeOptions): Promise<ClusterNodeHandle>;
  stop(): Promise<void>;
}

export async function startCluster(names: string[], overrides: ConfigInput = {}, options: (name: string) => BridgeOptions = () => ({})): Promise<TestCluster> {
  const db = await createTestDatabase();
  const sessionKey = randomBytes(32).toString('base64');
  const cluster: TestCluster = {
    db,
    nodes: [],
    sessionKey,
    async add(name, more = {}, opts = options(name)) {
      const proxy = new TcpProxy();
      await proxy.restore();
      const t = await startBridge({
        cluster: 'true',
        clusterKey: CLUSTER_KEY,
        nodeName: name,
        dbUrl: db.url(proxy.port),
        sessionKey,
        slots: 3,
        snapshotFirstDelayMs: 100,
        ...TEST_LEASES,
        ...overrides,
        ...more,
      }, opts);
      const health = await t.http.get('/api/health').set('apikey', t.token).expect(200);
      const node = Object.assign(t, { name, id: health.body.node.id as string, proxy });
      cluster.nodes.push(node);
      return node;
    },
    async stop() {
      for (const n of cluster.nodes) await n.proxy.restore().catch(() => undefined);
      await Promise.all(cluster.nodes.map((n) => n.stop().catch(() => undefined)));
      for (const n of cluster.nodes) await n.proxy.cut();
      await db.drop();
    },
  };
  for (const name of names) await cluster.add(name);
  return cluster;
}

export interface SlotRow {
  slot: number;
  state: string;
  ready: boolean;
  phone: string | null;
}

/** What each node's own API says about a slot. */
export async function localStates(nodes: ClusterNodeHandle[], slot: number): Promise<Map<string, SlotRow>> {
  const out = new Map<string, SlotRow>();
  await Promise.all(
    nodes.map(async (n) => {
      const res = await n.http.get('/api/slots').set('apikey', n.token);
      const row = (res.body as SlotRow[]).find((s) => s.slot === slot);
      if (row) out.set(n.name, row);
    }),
  );
  return out;
}

/** The node whose own slot is READY, once exactly one is. */
export async function readyOn(nodes: ClusterNodeHandle[], slot: number, timeoutMs = 30_000, exclude?: ClusterNodeHandle): Promise<ClusterNodeHandle> {
  return waitFor(
    async () => {
      const states = await localStates(nodes, slot);
      const ready = nodes.filter((n) => n !== exclude && states.get(n.name)?.ready);
      return ready.length === 1 ? ready[0] : null;
    },
    timeoutMs,
    `slot ${slot} READY on one node`,
  );
}

/** Watches every node's slot states and records any moment two of them show READY. */
export function watchSingleOwner(nodes: ClusterNodeHandle[], slot: number) {
  const doubles: string[][] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const states = await localStates(nodes, slot).catch(() => new Map<string, SlotRow>());
      const ready = [...states.entries()].filter(([, s]) => s.ready).map(([name]) => name);
      if (ready.length > 1) doubles.push(ready);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    doubles,
    async stop() {
      on = false;
      await loop;
      return doubles;
    },
  };
}
