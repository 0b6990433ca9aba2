// Cluster mode: which phones have a live socket, on any node. The push service holds back a push
// for a phone that is online (it sees the message on its socket); a node only sees its own
// sockets, so each node publishes its online phones to `shared_presence` (every couple of
// seconds, and soon after a socket opens or closes) with an expiry judged by the database clock.
// A node that dies stops renewing and its rows expire: its phones count as offline again.
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';

export interface OnlinePhone {
  deviceId: string;
  /** null: a phone that registered without an installation id. */
  installationId: string | null;
}

export interface PresenceOptions {
  /** How often this node republishes its list (default 2 s). */
  everyMs?: number;
  /** How long a published row counts without renewal (default 10 s). */
  ttlMs?: number;
  /** Wait after a socket change before publishing (changes close together make one write). */
  settleMs?: number;
}

/** SQL has no NULL in a key: a phone without an installation id is stored under ''. */
const key = (installationId: string | null) => installationId ?? '';

export class ClusterPresence {
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private round = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private warned = false;
  private list: () => OnlinePhone[] = () => [];
  private readonly everyMs: number;
  private readonly ttlMs: number;
  private readonly settleMs: number;

  constructor(
    private readonly pool: Pool,
    private readonly nodeId: string,
    private readonly logger: Logger,
    opts: PresenceOptions = {},
  ) {
    this.everyMs = opts.everyMs ?? 2000;
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.settleMs = opts.settleMs ?? 100;
  }

  /** Begin publishing what `list` says (this node's live phone sockets). */
  start(list: () => OnlinePhone[]): void {
    this.list = list;
    this.timer = setInterval(() => void this.publish(), this.everyMs);
    this.timer.unref();
    void this.publish();
  }

  /** A socket opened or closed: publish shortly. */
  changed(): void {
    if (this.soon || !this.timer) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.publish();
    }, this.settleMs);
    this.soon.unref();
  }

  /** Write this node's list now (one write at a time; a request meanwhile runs once after it). */
  publish(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.write()
      .catch((err: unknown) => {
        if (!this.warned) this.logger.warn({ err: (err as Error).message }, 'cluster: could not publish which phones are online here');
        this.warned = true;
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          void this.publish();
        }
      });
    return this.running;
  }

  private async write(): Promise<void> {
    const round = ++this.round;
    const phones = new Map(this.list().map((p) => [`${p.deviceId}\u0000${key(p.installationId)}`, p]));
    if (phones.size > 0) {
      const rows = [...phones.values()].map((p) => [this.nodeId, p.deviceId, key(p.installationId), round, this.ttlMs * 1000]);
      await this.pool.query(
        `INSERT INTO shared_presence (node, device_id, installation_id, round, expires_at)
         VALUES ${rows.map(() => '(?, ?, ?, ?, NOW(3) + INTERVAL ? MICROSECOND)').join(', ')}
         ON DUPLICATE KEY UPDATE round = VALUES(round), expires_at = VALUES(expires_at)`,
        rows.flat(),
      );
    }
    // Rows of this node not renewed in this round: sockets that closed.
    await this.pool.query('DELETE FROM shared_presence WHERE node = ? AND round <> ?', [this.nodeId, round]);
    this.warned = false;
  }

  /** Has another node a live socket of this phone? (A read failure says no: a duplicate push beats a lost one.) */
  async onlineElsewhere(deviceId: string, installationId: string | null): Promise<boolean> {
    try {
      const [rows] = await this.pool.query<RowDataPacket[]>(
        'SELECT 1 FROM shared_presence WHERE device_id = ? AND installation_id = ? AND node <> ? AND expires_at > NOW(3) LIMIT 1',
        [deviceId, key(installationId), this.nodeId],
      );
      return rows.length > 0;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cluster: could not ask which phones are online on other nodes');
      return false;
    }
  }

  /** Stop publishing and withdraw this node's rows (its sockets are closed). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = this.soon = null;
    await this.running;
    await this.pool.query('DELETE FROM shared_presence WHERE node = ?', [this.nodeId]).catch(() => undefined);
  }
}
