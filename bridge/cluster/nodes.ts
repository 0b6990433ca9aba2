// The cluster's roll call (cluster_nodes) and what each owner says its slots are doing
// (slot_status). Heartbeats and ages use the database's clock; slot status writes are fenced.
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { HOLDS_LEASE_SQL } from './schema.js';

export interface NodeRow {
  id: string;
  url: string;
  version: string;
  pid: number;
  capacity: number;
  draining: boolean;
  /** Milliseconds since its last heartbeat, by the database clock. */
  silentMs: number;
}

export interface SlotStatusRow {
  slot: number;
  node: string;
  fence: number;
  state: string;
  phone: string | null;
  lastError: string | null;
  ageMs: number;
}

export interface Presence {
  url: string;
  version: string;
  capacity: number;
}

export class NodeTable {
  constructor(
    private readonly pool: Pool,
    readonly nodeId: string,
    private readonly queryTimeoutMs = 5000,
  ) {}

  /** Register or refresh this node (every renew round). */
  async heartbeat(presence: Presence): Promise<void> {
    await this.pool.query(
      {
        sql: `INSERT INTO cluster_nodes (id, url, version, pid, capacity, started_at, heartbeat_at, draining)
              VALUES (?, ?, ?, ?, ?, NOW(3), NOW(3), 0)
              ON DUPLICATE KEY UPDATE url = VALUES(url), version = VALUES(version), pid = VALUES(pid), capacity = VALUES(capacity), heartbeat_at = NOW(3)`,
        timeout: this.queryTimeoutMs,
      },
      [this.nodeId, presence.url, presence.version, process.pid, presence.capacity],
    );
  }

  /** A clean stop: the node stays listed (health shows it silent) but restarts its clock on return. */
  async markStarted(): Promise<void> {
    await this.pool.query({ sql: 'UPDATE cluster_nodes SET started_at = NOW(3) WHERE id = ?', timeout: this.queryTimeoutMs }, [this.nodeId]);
  }

  async list(): Promise<NodeRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>({
      sql: 'SELECT id, url, version, pid, capacity, draining, TIMESTAMPDIFF(MICROSECOND, heartbeat_at, NOW(3)) DIV 1000 AS silent_ms FROM cluster_nodes ORDER BY id',
      timeout: this.queryTimeoutMs,
    });
    return rows.map((r) => ({
      id: String(r.id),
      url: String(r.url),
      version: String(r.version),
      pid: Number(r.pid),
      capacity: Number(r.capacity),
      draining: Number(r.draining) === 1,
      silentMs: Number(r.silent_ms),
    }));
  }

  /** Mark a node draining (hands its slots over, takes no new ones) or back in placement; false: no such node. */
  async setDraining(id: string, draining: boolean): Promise<boolean> {
    const [result] = await this.pool.query<ResultSetHeader>({ sql: 'UPDATE cluster_nodes SET draining = ? WHERE id = ?', timeout: this.queryTimeoutMs }, [draining ? 1 : 0, id]);
    return result.affectedRows > 0;
  }

  /** Rows silent for longer than `olderThanMs` (the coordinator's housekeeping). */
  async prune(olderThanMs: number): Promise<number> {
    const [result] = await this.pool.query<ResultSetHeader>(
      { sql: 'DELETE FROM cluster_nodes WHERE heartbeat_at < NOW(3) - INTERVAL ? MICROSECOND', timeout: this.queryTimeoutMs },
      [olderThanMs * 1000],
    );
    return result.affectedRows;
  }

  /** The owner's view of a slot; refused (false) unless this node still holds the lease under `fence`. */
  async writeStatus(slot: number, fence: number, s: { state: string; phone: string | null; lastError: string | null }): Promise<boolean> {
    const [result] = await this.pool.query<ResultSetHeader>(
      {
        sql: `INSERT INTO slot_status (slot, node, fence, state, phone, since, last_error, updated_at)
              SELECT ?, ?, ?, ?, ?, NOW(3), ?, NOW(3) FROM DUAL WHERE ${HOLDS_LEASE_SQL}
              ON DUPLICATE KEY UPDATE since = IF(state = VALUES(state) AND node = VALUES(node), since, NOW(3)),
                node = VALUES(node), fence = VALUES(fence), state = VALUES(state), phone = VALUES(phone), last_error = VALUES(last_error), updated_at = NOW(3)`,
        timeout: this.queryTimeoutMs,
      },
      [slot, this.nodeId, fence, s.state, s.phone, s.lastError, slot, this.nodeId, fence],
    );
    return result.affectedRows > 0;
  }

  /** Forget the status of a slot this node gave up (only its own row). */
  async clearStatus(slot: number): Promise<void> {
    await this.pool.query({ sql: 'DELETE FROM slot_status WHERE slot = ? AND node = ?', timeout: this.queryTimeoutMs }, [slot, this.nodeId]);
  }

  async statuses(): Promise<SlotStatusRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>({
      sql: 'SELECT slot, node, fence, state, phone, last_error, TIMESTAMPDIFF(MICROSECOND, updated_at, NOW(3)) DIV 1000 AS age_ms FROM slot_status ORDER BY slot',
      timeout: this.queryTimeoutMs,
    });
    return rows.map((r) => ({
      slot: Number(r.slot),
      node: String(r.node),
      fence: Number(r.fence),
      state: String(r.state),
      phone: r.phone === null ? null : String(r.phone),
      lastError: r.last_error === null ? null : String(r.last_error),
      ageMs: Number(r.age_ms),
    }));
  }
}
