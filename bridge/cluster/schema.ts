// The tables every node of a cluster shares in MySQL/MariaDB: who is alive (cluster_nodes), who
// owns which slot and under which fencing token (slot_leases), and what each owned slot is doing
// (slot_status). Slot 0 of slot_leases is the coordinator lease ("primary_master").
// Expiry is judged by the database's clock only (NOW(3)), never by a node's clock.
// MySQL DDL is not transactional: each statement is safe to run twice.
import type { Pool } from 'mysql2/promise';

/** The coordinator's lease: not a WhatsApp slot. */
export const COORDINATOR_SLOT = 0;

export const CLUSTER_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS cluster_nodes (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    url VARCHAR(255) NOT NULL,
    version VARCHAR(32) NOT NULL,
    pid INT NOT NULL,
    capacity INT NOT NULL,
    started_at TIMESTAMP(3) NOT NULL,
    heartbeat_at TIMESTAMP(3) NOT NULL,
    draining TINYINT NOT NULL DEFAULT 0
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE IF NOT EXISTS slot_leases (
    slot INT NOT NULL PRIMARY KEY,
    owner VARCHAR(64) NULL,
    fence BIGINT NOT NULL DEFAULT 0,
    expires_at TIMESTAMP(3) NULL,
    renewed_at TIMESTAMP(3) NULL,
    wanted TINYINT NOT NULL DEFAULT 1,
    preferred_node VARCHAR(64) NULL,
    move_to VARCHAR(64) NULL
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE IF NOT EXISTS slot_status (
    slot INT NOT NULL PRIMARY KEY,
    node VARCHAR(64) NOT NULL,
    fence BIGINT NOT NULL,
    state VARCHAR(16) NOT NULL,
    phone VARCHAR(32) NULL,
    since TIMESTAMP(3) NOT NULL,
    last_error TEXT NULL,
    updated_at TIMESTAMP(3) NOT NULL
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
];

/** Create the shared cluster tables when missing (idempotent; any node may call it). */
export async function ensureClusterTables(pool: Pool): Promise<void> {
  for (const statement of CLUSTER_TABLES) await pool.query(statement);
}

/**
 * SQL fragment that is true only while `node` holds slot `?`'s lease under fence `?`. Fenced writes
 * (outbox claims, snapshot saves, slot status) put it in their WHERE clause so that a node that
 * lost its lease — frozen, cut off, or simply late — cannot change anything. Parameters, in order:
 * slot, node id, fence.
 */
export const HOLDS_LEASE_SQL =
  'EXISTS (SELECT 1 FROM slot_leases l WHERE l.slot = ? AND l.owner = ? AND l.fence = ? AND l.expires_at > NOW(3))';
