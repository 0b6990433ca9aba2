// Helpers for the routing tests: in-process bridges (demo engine) sharing one random MariaDB
// database in cluster mode, with the tests' lease timings (kit.ts). Slots go where they are preferred (the
// cluster's own placement); a test may also write lease rows itself to stage an owner that is
// gone or a stale fence.
import net from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { createTestDatabase } from '../archive/mysql-kit.js';
import type { BridgeOptions } from '../../bridge/bridge.js';
import { startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { TEST_LEASES } from './kit.js';

export const CLUSTER_KEY = 'routing-test-cluster-key-0123456789';
export const ADMIN = 'routing-test-admin-token-0123456789';

export type TestDb = Awaited<ReturnType<typeof createTestDatabase>>;
export { createTestDatabase };

export interface TestNode extends TestBridge {
  name: string;
  /** The node's id in the cluster tables. */
  id: string;
}

/** A loopback port free right now (the node must advertise its URL before it listens). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A cluster-mode bridge named `name`, advertising its loopback URL. */
export async function startNode(db: TestDb, name: string, overrides: Record<string, unknown> = {}, options: BridgeOptions = {}): Promise<TestNode> {
  const port = await freePort();
  const t = await startBridge({
    cluster: 'true',
    dbUrl: db.url(),
    clusterKey: CLUSTER_KEY,
    nodeName: name,
    adminToken: ADMIN,
    ratePerMinute: 1000,
    port,
    httpsPort: 0,
    advertiseUrl: `http://127.0.0.1:${port}`,
    ...TEST_LEASES,
    ...overrides,
  }, options);
  const health = await t.http.get('/api/health').set('apikey', ADMIN).expect(200);
  return { ...t, name, id: health.body.node.id as string };
}

/** Wait until `node` holds slot `slot`'s lease and runs it READY; the fence it holds it under. */
export async function ownedBy(db: TestDb, node: TestNode, slot: number): Promise<number> {
  return waitFor(async () => {
    const rows = await db.query<RowDataPacket[]>('SELECT owner, fence FROM slot_leases WHERE slot = ? AND expires_at > NOW(3)', [slot]);
    if (rows[0]?.owner !== node.id) return null;
    const slots = await node.http.get('/api/slots').set('apikey', ADMIN);
    return (slots.body as { slot: number; ready: boolean }[]).find((s) => s.slot === slot)?.ready ? Number(rows[0]!.fence) : null;
  }, 20_000, `slot ${slot} READY on ${node.name}`);
}

/** Stage a lease row: `owner` holds slot `slot` under `fence` for an hour (a node no test process runs). */
export async function setLease(db: TestDb, slot: number, owner: string | null, fence: number): Promise<void> {
  await db.query(
    `INSERT INTO slot_leases (slot, owner, fence, expires_at, renewed_at, wanted) VALUES (?, ?, ?, IF(? IS NULL, NULL, NOW(3) + INTERVAL 1 HOUR), NOW(3), 0)
     ON DUPLICATE KEY UPDATE owner = VALUES(owner), fence = VALUES(fence), expires_at = VALUES(expires_at), renewed_at = VALUES(renewed_at)`,
    [slot, owner, fence, owner],
  );
}

/** A node that is listed in the cluster but gone: its advertised port refuses connections. */
export async function addDeadNode(db: TestDb, id: string): Promise<void> {
  const port = await freePort();
  await db.query(`INSERT INTO cluster_nodes (id, url, version, pid, capacity, started_at, heartbeat_at) VALUES (?, ?, 'test', 1, 6, NOW(3), NOW(3))`, [id, `http://127.0.0.1:${port}`]);
}

export interface TwoNodes {
  db: TestDb;
  a: TestNode;
  b: TestNode;
}

/**
 * The routing tests' set-up: a fresh database and nodes "node-a" and "node-b" (B with `bOverrides`,
 * e.g. the slots it prefers), started before the file's tests and stopped after them. `ready` gets
 * them (then runs the file's own set-up, if it returns a promise).
 */
export function twoNodes(bOverrides: Record<string, unknown>, ready: (nodes: TwoNodes) => unknown, aOverrides: Record<string, unknown> = {}, bOptions: BridgeOptions = {}): void {
  let nodes: Partial<TwoNodes> = {};
  beforeAll(async () => {
    const db = await createTestDatabase();
    nodes = { db };
    nodes.a = await startNode(db, 'node-a', aOverrides);
    nodes.b = await startNode(db, 'node-b', bOverrides, bOptions);
    await ready(nodes as TwoNodes);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([nodes.a?.stop(), nodes.b?.stop()]);
    await nodes.db?.drop();
  });
}
