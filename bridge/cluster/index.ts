// Cluster mode (WA_BRIDGE_CLUSTER=1): builds this node's ClusterNode on its own connection pool
// to the shared database, and answers cluster health from the shared tables.
import mysql from 'mysql2/promise';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { BridgeConfig } from '../config.js';
import type { SnapshotService } from '../snapshots/service.js';
import { MysqlSnapshotStore } from '../snapshots/stores/mysql.js';
import { clusterHealth } from './health.js';
import { nodeId } from './identity.js';
import { createClusterMetrics } from './metrics.js';
import { ClusterNode } from './node.js';

export { ClusterNode } from './node.js';
export { ClusterSlot } from './slot.js';
export { defaultAdvertiseUrl } from './identity.js';

export const VERSION = process.env.npm_package_version ?? '0.1.0';

export interface ClusterHandle {
  node: ClusterNode;
  /** The whole cluster's health, in the guide's shape. */
  health(): Promise<ReturnType<typeof clusterHealth>>;
  close(): Promise<void>;
}

export function createCluster(config: BridgeConfig, deps: { logger: Logger; registry: Registry; snapshots: SnapshotService; localWishes: readonly number[] }): ClusterHandle {
  const pool = mysql.createPool({ uri: config.dbUrl!, connectionLimit: 4, connectTimeout: Math.max(1000, config.leaseRenewMs), enableKeepAlive: true });
  const node = new ClusterNode({
    config,
    pool,
    nodeId: nodeId(config.dataDir, config.nodeName),
    logger: deps.logger,
    metrics: createClusterMetrics(deps.registry),
    snapshots: deps.snapshots,
    version: VERSION,
    localWishes: deps.localWishes,
  });
  // Only the lease holder may write a slot's snapshots.
  if (deps.snapshots.store instanceof MysqlSnapshotStore) deps.snapshots.store.fencedBy((slot) => node.fenceOf(slot));
  return {
    node,
    async health() {
      const [nodes, leases, statuses] = await Promise.all([node.nodes.list(), node.leases.list(), node.nodes.statuses()]);
      return clusterHealth({ nodes, leases, statuses, slots: config.slots, silentAfterMs: 3 * config.leaseRenewMs, version: VERSION });
    },
    async close() {
      await node.stop();
      await pool.end().catch(() => undefined);
    },
  };
}
