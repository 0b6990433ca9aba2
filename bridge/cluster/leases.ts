// Slot leases in MySQL/MariaDB with fencing tokens: one row per slot (0 = the coordinator).
// Acquire is one atomic UPDATE that only a free or expired row lets through and that bumps the
// fence; renew and release only touch a row still held under the same fence. Expiry is judged by
// the database's clock (NOW(3)) alone; the caller keeps its own monotonic self-fence deadline.
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { COORDINATOR_SLOT } from './schema.js';

export interface LeaseRow {
  slot: number;
  owner: string | null;
  fence: number;
  /** Held by nobody, or its holder let it expire (by the database clock). */
  free: boolean;
  wanted: boolean;
  preferredNode: string | null;
  moveTo: string | null;
  /** Milliseconds until expiry (negative once expired); null when nobody holds it. */
  expiresInMs: number | null;
  /** Milliseconds since the last acquire or renew; null when never held. */
  renewedAgoMs: number | null;
}

export interface Acquired {
  fence: number;
  /** performance.now() when the acquiring statement was sent: the self-fence clock starts there. */
  sentAt: number;
  /** The row as it was just before: who held it and how long ago they last renewed. */
  previous: { owner: string | null; fence: number; renewedAgoMs: number | null };
}

type Row = RowDataPacket & {
  slot: number;
  owner: string | null;
  fence: number | string;
  free: number;
  wanted: number;
  preferred_node: string | null;
  move_to: string | null;
  expires_in_ms: number | string | null;
  renewed_ago_ms: number | string | null;
};

const SELECT_ROWS = `SELECT slot, owner, fence, wanted, preferred_node, move_to,
  (owner IS NULL OR expires_at IS NULL OR expires_at < NOW(3)) AS free,
  TIMESTAMPDIFF(MICROSECOND, NOW(3), expires_at) DIV 1000 AS expires_in_ms,
  TIMESTAMPDIFF(MICROSECOND, renewed_at, NOW(3)) DIV 1000 AS renewed_ago_ms
  FROM slot_leases`;

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function toLease(row: Row): LeaseRow {
  return {
    slot: Number(row.slot),
    owner: row.owner,
    fence: Number(row.fence),
    free: Number(row.free) === 1,
    wanted: Number(row.wanted) === 1,
    preferredNode: row.preferred_node,
    moveTo: row.move_to,
    expiresInMs: row.owner === null ? null : num(row.expires_in_ms),
    renewedAgoMs: num(row.renewed_ago_ms),
  };
}

export class LeaseStore {
  constructor(
    private readonly pool: Pool,
    readonly nodeId: string,
    private readonly ttlMs: number,
    /** A statement that takes longer than this counts as failed (the self-fence deadline decides). */
    private readonly queryTimeoutMs = 5000,
  ) {}

  private async run(sql: string, values: unknown[]): Promise<ResultSetHeader> {
    const [result] = await this.pool.query<ResultSetHeader>({ sql, timeout: this.queryTimeoutMs }, values);
    return result;
  }

  /**
   * One row per slot (and the coordinator's), created once for the whole cluster: the first node
   * to start seeds `wanted` from the slots it had connected on its own, later nodes change nothing.
   */
  async ensureRows(slots: number, wantedSlots: readonly number[]): Promise<void> {
    const values: unknown[] = [];
    const rows: string[] = [];
    for (let slot = COORDINATOR_SLOT; slot <= slots; slot++) {
      rows.push('(?, ?)');
      values.push(slot, slot === COORDINATOR_SLOT || wantedSlots.includes(slot) ? 1 : 0);
    }
    await this.run(`INSERT IGNORE INTO slot_leases (slot, wanted) VALUES ${rows.join(', ')}`, values);
  }

  async list(): Promise<LeaseRow[]> {
    const [rows] = await this.pool.query<Row[]>({ sql: `${SELECT_ROWS} ORDER BY slot`, timeout: this.queryTimeoutMs });
    return rows.map(toLease);
  }

  async get(slot: number): Promise<LeaseRow | null> {
    const [rows] = await this.pool.query<Row[]>({ sql: `${SELECT_ROWS} WHERE slot = ?`, timeout: this.queryTimeoutMs }, [slot]);
    return rows[0] ? toLease(rows[0]) : null;
  }

  /**
   * Take a free or expired slot: null when another node holds it or won the race. The update is a
   * compare-and-set on the fence read just before, so the previous holder reported is exact.
   * A pending move to this node is cleared by taking the slot.
   */
  async acquire(slot: number): Promise<Acquired | null> {
    const row = await this.get(slot);
    if (!row || !row.free) return null;
    const sentAt = performance.now();
    const result = await this.run(
      `UPDATE slot_leases SET owner = ?, fence = fence + 1, expires_at = NOW(3) + INTERVAL ? MICROSECOND, renewed_at = NOW(3),
         move_to = IF(move_to = ?, NULL, move_to)
       WHERE slot = ? AND fence = ? AND (owner IS NULL OR expires_at IS NULL OR expires_at < NOW(3))`,
      [this.nodeId, this.ttlMs * 1000, this.nodeId, slot, row.fence],
    );
    if (result.affectedRows !== 1) return null;
    return { fence: row.fence + 1, sentAt, previous: { owner: row.owner, fence: row.fence, renewedAgoMs: row.renewedAgoMs } };
  }

  /** Extend a lease still held under `fence`; false = lost (expired, taken, or released). */
  async renew(slot: number, fence: number): Promise<boolean> {
    const result = await this.run(
      `UPDATE slot_leases SET expires_at = NOW(3) + INTERVAL ? MICROSECOND, renewed_at = NOW(3)
       WHERE slot = ? AND owner = ? AND fence = ? AND expires_at >= NOW(3)`,
      [this.ttlMs * 1000, slot, this.nodeId, fence],
    );
    return result.affectedRows === 1;
  }

  /** Give a slot up; with `unwanted` no node takes it again until someone starts it. */
  async release(slot: number, fence: number, opts: { unwanted?: boolean } = {}): Promise<boolean> {
    const result = await this.run(
      `UPDATE slot_leases SET owner = NULL, expires_at = NULL${opts.unwanted ? ', wanted = 0, move_to = NULL' : ''}
       WHERE slot = ? AND owner = ? AND fence = ?`,
      [slot, this.nodeId, fence],
    );
    return result.affectedRows === 1;
  }

  /** The owner's (or admin's) wish: a wanted slot is kept running by some node. */
  async setWanted(slot: number, wanted: boolean): Promise<void> {
    await this.run(`UPDATE slot_leases SET wanted = ?${wanted ? '' : ', move_to = NULL'} WHERE slot = ?`, [wanted ? 1 : 0, slot]);
  }

  /** Ask the owner to hand the slot to `node` (it snapshots and releases; `node` takes it). */
  async requestMove(slot: number, node: string): Promise<void> {
    await this.run('UPDATE slot_leases SET move_to = ?, wanted = 1 WHERE slot = ?', [node, slot]);
  }

  /**
   * A move this node decided on its own (a drain's hand-over): only while the slot is still wanted,
   * held by `from`, and no other move is pending, so a stop or an admin's move asked meanwhile wins.
   */
  async requestHandOver(slot: number, from: string, to: string): Promise<boolean> {
    const result = await this.run(
      'UPDATE slot_leases SET move_to = ? WHERE slot = ? AND owner = ? AND wanted = 1 AND move_to IS NULL',
      [to, slot, from],
    );
    return result.affectedRows === 1;
  }

  /** Homecoming: ask `from` to hand a slot this node prefers back to it (same conditions as a hand-over). */
  async requestMoveBack(slot: number, from: string): Promise<boolean> {
    const result = await this.run(
      'UPDATE slot_leases SET move_to = ? WHERE slot = ? AND owner = ? AND preferred_node = ? AND wanted = 1 AND move_to IS NULL',
      [this.nodeId, slot, from, this.nodeId],
    );
    return result.affectedRows === 1;
  }

  /** This node's preferred slots (WA_BRIDGE_PREFERRED_SLOTS): other nodes leave them while it lives. */
  async setPreferred(slots: readonly number[]): Promise<void> {
    await this.run('UPDATE slot_leases SET preferred_node = NULL WHERE preferred_node = ?', [this.nodeId]);
    if (slots.length > 0) await this.run(`UPDATE slot_leases SET preferred_node = ? WHERE slot IN (${slots.map(() => '?').join(', ')})`, [this.nodeId, ...slots]);
  }
}
