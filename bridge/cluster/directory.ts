// Who owns a slot right now, under which fence, and where to reach that node: read from the
// shared lease and node tables (bridge/cluster/schema.ts). A lease counts only while unexpired by
// the database's clock, the same judge the lease holders use.
import type { Pool, RowDataPacket } from 'mysql2/promise';

export interface SlotOwner {
  slot: number;
  node: string;
  fence: number;
  /** The owner's advertised URL (how other nodes forward to it). */
  url: string;
}

export interface NodeAddress {
  id: string;
  url: string;
}

/** How a phone reaches a node: its HTTPS address and the certificate fingerprint(s) to pin there. */
export interface NodeEndpoint {
  id: string;
  /** The advertised (node-to-node) URL. */
  url: string;
  httpsUrl: string | null;
  fingerprint: string | null;
  nextFingerprint: string | null;
}

/** A node is listed as reachable while its heartbeat is younger than this. */
const LIVE_MS = 30_000;

const OWNS_CACHE_MS = 500;

export class ClusterDirectory {
  private readonly owned = new Map<number, { at: number; value: boolean }>();

  constructor(
    private readonly pool: Pool,
    readonly nodeId: string,
  ) {}

  /** The live owner of a slot, or null when nobody holds an unexpired lease. */
  async ownerOf(slot: number): Promise<SlotOwner | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT l.slot, l.owner, l.fence, n.url FROM slot_leases l JOIN cluster_nodes n ON n.id = l.owner
        WHERE l.slot = ? AND l.expires_at > NOW(3)`,
      [slot],
    );
    const r = rows[0];
    return r ? { slot: r.slot, node: r.owner, fence: Number(r.fence), url: r.url } : null;
  }

  /** This node's lease on a slot as the database sees it (null: not held, or expired). */
  async myFence(slot: number): Promise<{ node: string; fence: number } | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT fence FROM slot_leases WHERE slot = ? AND owner = ? AND expires_at > NOW(3)',
      [slot, this.nodeId],
    );
    return rows[0] ? { node: this.nodeId, fence: Number(rows[0].fence) } : null;
  }

  /** Whether this node holds the slot, answered from a short cache (for every event of a slot). */
  async owns(slot: number): Promise<boolean> {
    const hit = this.owned.get(slot);
    if (hit && Date.now() - hit.at < OWNS_CACHE_MS) return hit.value;
    const value = (await this.myFence(slot)) !== null;
    this.owned.set(slot, { at: Date.now(), value });
    return value;
  }

  /** Tell phones (through every node) how to reach this one. */
  async publishEndpoint(e: Omit<NodeEndpoint, 'id'>, now = Date.now()): Promise<void> {
    await this.pool.query(
      `REPLACE INTO shared_node_endpoints (id, url, https_url, fingerprint, next_fingerprint, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
      [this.nodeId, e.url, e.httpsUrl, e.fingerprint, e.nextFingerprint, now],
    );
  }

  /** Every live node's endpoint (heartbeat recent), this one included, by id. */
  async endpoints(): Promise<NodeEndpoint[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT n.id, n.url, e.https_url, e.fingerprint, e.next_fingerprint FROM cluster_nodes n LEFT JOIN shared_node_endpoints e ON e.id = n.id
        WHERE n.heartbeat_at > NOW(3) - INTERVAL ? MICROSECOND ORDER BY n.id`,
      [LIVE_MS * 1000],
    );
    return rows.map((r) => ({ id: r.id, url: r.url, httpsUrl: r.https_url ?? null, fingerprint: r.fingerprint ?? null, nextFingerprint: r.next_fingerprint ?? null }));
  }

  /** Nodes with a recent heartbeat, this one included, by id. */
  async liveNodes(): Promise<NodeAddress[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT id, url FROM cluster_nodes WHERE heartbeat_at > NOW(3) - INTERVAL ? MICROSECOND ORDER BY id',
      [LIVE_MS * 1000],
    );
    return rows.map((r) => ({ id: r.id, url: r.url }));
  }
}
