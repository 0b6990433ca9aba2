// Events of every slot on every node. The owner of a slot appends its events to one shared table;
// the table's AUTO_INCREMENT id is the cluster-wide sequence number, and every node tails the
// table and hands each row to its WebSocket clients. So a phone sees every slot whichever node it
// is on, and after moving to another node its `?since=<seq>` means the same thing there. Each
// node reads the table every pollMs, and at once when the node that wrote pokes it (poke.ts).
//
// Why a table and not node-to-node sockets: the sequence must be one numbering shared by all
// nodes (a reconnect to another node replays from it), it must survive the node that produced the
// events dying, and the database is already the cluster's one shared, ordered place.
// Order per slot holds because one node writes a slot's events, one INSERT after the other (each
// committed before the next is sent). Rows of different nodes can commit out of id order, so the
// tail hands rows out only up to the first gap, and waits a moment for the gap to fill before
// passing it (ids are never handed out twice: no event is delivered twice). The ids step by the
// server's auto_increment_increment (Galera sets it to the cluster size, with an offset per
// server): the next id expected is the next one of this server's series, not always id + 1.
import crypto from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { MaybePromise } from '../domain/async.js';
import { REPLAY_MAX_AGE_MS, REPLAY_MAX_EVENTS } from '../ws/replay.js';

export const EVENT_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS shared_events (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    slot INT NOT NULL,
    node VARCHAR(64) NOT NULL,
    frame MEDIUMTEXT NOT NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY shared_events_age (created_at)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  // One row: the id of this event numbering (a new database starts a new one, like a bridge restart).
  `CREATE TABLE IF NOT EXISTS shared_events_meta (
    id TINYINT NOT NULL PRIMARY KEY,
    boot_id CHAR(36) NOT NULL
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
];

/** A gap in the ids (a row not yet committed) is waited for this long, then passed. */
const GAP_WAIT_MS = 1000;

/**
 * The id the server hands out next after `last`: the smallest id above it in the series
 * offset, offset + step, offset + 2·step, … (MySQL ignores an offset larger than the step).
 */
export function nextId(last: number, step: number, offset: number): number {
  if (step <= 1) return last + 1;
  const base = offset > step ? 1 : offset;
  const candidate = last + 1;
  return candidate + ((((base - candidate) % step) + step) % step);
}
/** Rows kept in the table (phones away longer reload anyway: REPLAY_MAX_AGE_MS). */
const KEEP_MS = 2 * REPLAY_MAX_AGE_MS;
const PRUNE_EVERY_MS = 60_000;

export type Deliver = (seq: number, slot: number, frame: Record<string, unknown>) => void;

/**
 * Rows of "slot 0" are orders to every node, not events: close the sockets of a revoked device or
 * an ended admin-app session on every node (the node that handled the request closes its own at
 * once). They ride the same tail so they need no other channel; clients never see them (their
 * seq is simply skipped, as seq may skip numbers anyway).
 */
export const CONTROL_SLOT = 0;
export type CloseOrder = { device: string } | { session: string };
type ControlFrame = { type: 'close_sockets'; device?: string; session?: string };

export interface ClusterEventOptions {
  pool: Pool;
  nodeId: string;
  logger: Logger;
  /** Does this node own the slot now? Only the owner publishes a slot's events. */
  owns: (slot: number) => MaybePromise<boolean>;
  /** How often the table is read without a poke (the fallback; default 100 ms). */
  pollMs?: number;
  /** Rows were appended: tell the other nodes to read now (bridge/cluster/poke.ts). */
  onAppended?: () => void;
  /** How long a gap in the ids is waited for (default 1 s). */
  gapWaitMs?: number;
}

export class ClusterEventStream {
  bootId = '';
  private lastId = 0;
  /** The server's auto_increment_increment and _offset, read at prepare(). */
  private step = 1;
  private offset = 1;
  private gapSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private again = false;
  private publishing: Promise<void> = Promise.resolve();
  private closed = false;
  private deliver: Deliver = () => undefined;
  private onClose: (order: CloseOrder) => void = () => undefined;
  private readonly log: Logger;

  constructor(private readonly opts: ClusterEventOptions) {
    this.log = opts.logger.child({ part: 'cluster-events' });
  }

  /** Create the tables and learn the numbering's id (the hello frame's bootId on every node). */
  async prepare(): Promise<string> {
    const { pool } = this.opts;
    for (const statement of EVENT_TABLES) await pool.query(statement);
    await pool.query('INSERT IGNORE INTO shared_events_meta (id, boot_id) VALUES (1, ?)', [crypto.randomUUID()]);
    const [meta] = await pool.query<RowDataPacket[]>('SELECT boot_id FROM shared_events_meta WHERE id = 1');
    this.bootId = `cluster-${meta[0]!.boot_id}`;
    const [series] = await pool.query<RowDataPacket[]>('SELECT @@auto_increment_increment AS step, @@auto_increment_offset AS start_at');
    this.step = Math.max(1, Number(series[0]!.step));
    this.offset = Math.max(1, Number(series[0]!.start_at));
    if (this.step > 1) this.log.info({ step: this.step, offset: this.offset }, 'cluster: event ids step by the server\'s auto_increment_increment');
    return this.bootId;
  }

  /** Load the recent events (so replays work on a node that just started), then tail. */
  async start(deliver: Deliver, onClose: (order: CloseOrder) => void = () => undefined): Promise<void> {
    const { pool } = this.opts;
    this.deliver = deliver;
    this.onClose = onClose;
    const [recent] = await pool.query<RowDataPacket[]>(
      'SELECT id, slot, frame FROM shared_events WHERE created_at > NOW(3) - INTERVAL ? MICROSECOND ORDER BY id DESC LIMIT ?',
      [REPLAY_MAX_AGE_MS * 1000, REPLAY_MAX_EVENTS],
    );
    // Close orders from before this node started found no socket of it to close: passed over.
    for (const row of recent.reverse()) this.hand(row, false);
    if (recent.length === 0) {
      const [max] = await pool.query<RowDataPacket[]>('SELECT COALESCE(MAX(id), 0) AS id FROM shared_events');
      this.lastId = Number(max[0]!.id);
    }
    this.timer = setInterval(() => this.poll(), this.opts.pollMs ?? 100);
    this.timer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  /** Append an event of a slot this node owns (others' are not theirs to tell); in order per node. */
  publish(event: Record<string, unknown> & { slot: number }): void {
    if (this.closed) return;
    const { chat: _localOnly, ...wire } = event as Record<string, unknown> & { slot: number; chat?: unknown };
    this.publishing = this.publishing
      .then(async () => {
        if (!(await this.opts.owns(wire.slot))) return;
        await this.opts.pool.query('INSERT INTO shared_events (slot, node, frame) VALUES (?, ?, ?)', [wire.slot, this.opts.nodeId, JSON.stringify(wire)]);
        this.appended();
      })
      .catch((err: unknown) => this.log.error({ err: (err as Error).message, slot: wire.slot, type: wire.type }, 'cluster: could not publish an event'));
  }

  /** Tell every node (this one too) to close the sockets of a revoked device or an ended session. */
  publishClose(order: CloseOrder): void {
    if (this.closed) return;
    const frame: ControlFrame = { type: 'close_sockets', ...order };
    this.publishing = this.publishing
      .then(async () => {
        await this.opts.pool.query('INSERT INTO shared_events (slot, node, frame) VALUES (?, ?, ?)', [CONTROL_SLOT, this.opts.nodeId, JSON.stringify(frame)]);
        this.appended();
      })
      .catch((err: unknown) => this.log.error({ err: (err as Error).message }, 'cluster: could not tell the other nodes to close sockets (they close at the next reconnect)'));
  }

  /** A row is committed: neither this node's clients nor the other nodes' need wait for the timer. */
  private appended(): void {
    this.poll();
    this.opts.onAppended?.();
  }

  /** Read what is new (the timer, an append here, a poke from another node); a call while one runs makes it read once more after. */
  poll(): void {
    if (this.closed) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = this.read()
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'cluster: could not read the event table'))
      .finally(() => {
        this.polling = null;
        if (this.again) {
          this.again = false;
          this.poll();
        }
      });
  }

  private async read(): Promise<void> {
    const [rows] = await this.opts.pool.query<RowDataPacket[]>('SELECT id, slot, frame FROM shared_events WHERE id > ? ORDER BY id LIMIT 1000', [this.lastId]);
    for (const row of rows) {
      const id = Number(row.id);
      if (id !== nextId(this.lastId, this.step, this.offset)) {
        // A gap: an earlier id not committed yet. Wait for it a moment, then go on without it.
        const now = Date.now();
        this.gapSince ??= now;
        if (now - this.gapSince < (this.opts.gapWaitMs ?? GAP_WAIT_MS)) return;
        this.log.debug({ from: this.lastId + 1, to: id - 1 }, 'cluster: event ids skipped (never committed)');
      }
      this.gapSince = null;
      this.hand(row);
    }
  }

  private hand(row: RowDataPacket, live = true): void {
    this.lastId = Number(row.id);
    try {
      if (Number(row.slot) === CONTROL_SLOT) {
        const order = JSON.parse(row.frame as string) as ControlFrame;
        if (!live || order.type !== 'close_sockets') return;
        if (typeof order.device === 'string') this.onClose({ device: order.device });
        else if (typeof order.session === 'string') this.onClose({ session: order.session });
        return;
      }
      this.deliver(this.lastId, row.slot as number, JSON.parse(row.frame as string) as Record<string, unknown>);
    } catch (err) {
      this.log.error({ err: (err as Error).message, id: this.lastId }, 'cluster: an event could not be delivered');
    }
  }

  private async prune(): Promise<void> {
    await this.opts.pool
      .query('DELETE FROM shared_events WHERE created_at < NOW(3) - INTERVAL ? MICROSECOND LIMIT 10000', [KEEP_MS * 1000])
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'cluster: could not prune old events'));
  }

  /** Stop tailing; events being published are written first. */
  async close(): Promise<void> {
    await this.publishing;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.polling;
  }
}
