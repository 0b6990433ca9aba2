// Helpers for the routing tests: in-process bridges (demo engine) sharing one random MariaDB
// database in cluster mode, and lease rows set by the test to say who owns which slot.
import { createTestDatabase } from '../archive/mysql-kit.js';
import { CALLER_HEADER, CLUSTER_KEY_HEADER, encodeCaller, HOP_HEADER } from '../../bridge/cluster/cluster-key.js';
import { startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';

export const CLUSTER_KEY = 'routing-test-cluster-key-0123456789';
export const ADMIN = 'routing-test-admin-token-0123456789';

export type TestDb = Awaited<ReturnType<typeof createTestDatabase>>;
export { createTestDatabase };

export interface TestNode extends TestBridge {
  name: string;
}

/** A cluster-mode bridge named `name`, registered in cluster_nodes with its URL. */
export async function startNode(db: TestDb, name: string, overrides: Record<string, unknown> = {}): Promise<TestNode> {
  const t = await startBridge({ cluster: 'true', dbUrl: db.url(), clusterKey: CLUSTER_KEY, nodeName: name, adminToken: ADMIN, ratePerMinute: 1000, ...overrides });
  await db.query(
    `INSERT INTO cluster_nodes (id, url, version, pid, capacity, started_at, heartbeat_at) VALUES (?, ?, 'test', ?, 6, NOW(3), NOW(3) + INTERVAL 1 HOUR)
     ON DUPLICATE KEY UPDATE url = VALUES(url), heartbeat_at = VALUES(heartbeat_at)`,
    [name, t.bridge.url, process.pid],
  );
  return { ...t, name };
}

/** Say that `node` holds slot `slot` under `fence` (for an hour), or that nobody does. */
export async function setLease(db: TestDb, slot: number, node: string | null, fence: number): Promise<void> {
  await db.query(
    `INSERT INTO slot_leases (slot, owner, fence, expires_at, renewed_at) VALUES (?, ?, ?, IF(? IS NULL, NULL, NOW(3) + INTERVAL 1 HOUR), NOW(3))
     ON DUPLICATE KEY UPDATE owner = VALUES(owner), fence = VALUES(fence), expires_at = VALUES(expires_at), renewed_at = VALUES(renewed_at)`,
    [slot, node, fence, node],
  );
}

/**
 * Start a slot on this very node even when the lease names another (a zombie), by sending the
 * connect as a request that already made its hop: it is not forwarded.
 */
export async function connectHere(t: TestNode, slot: number): Promise<void> {
  const asNode = (req: ReturnType<TestNode['http']['get']>) =>
    req.set(CLUSTER_KEY_HEADER, CLUSTER_KEY).set(CALLER_HEADER, encodeCaller({ kind: 'admin', id: 'admin' })).set(HOP_HEADER, 'test');
  await asNode(t.http.post('/api/connect')).send({ slot }).expect(200);
  await waitFor(async () => {
    const res = await asNode(t.http.get('/api/slots'));
    return (res.body as { slot: number; ready: boolean }[]).find((s) => s.slot === slot)?.ready;
  }, 10_000, `slot ${slot} ready on ${t.name}`);
}
