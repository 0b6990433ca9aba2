// This node's part in the cluster: heartbeat, the leases it holds (renew, self-fence, release),
// taking free slots (placement), and starting or standing down its slots to match. One loop
// renews every leaseRenewMs, one looks around every standbyPollMs, and a fast timer fences any
// lease whose local deadline passed (send time of the last successful renew + TTL − margin).
import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { BridgeConfig } from '../config.js';
import { profileDirOf } from '../engine/profile.js';
import type { EngineFactory } from '../engine/types.js';
import type { SlotRegistry } from '../slots/registry.js';
import type { Slot } from '../slots/slot.js';
import type { SnapshotService } from '../snapshots/service.js';
import type { Page } from 'puppeteer-core';
import { armPageDeadman } from './deadman.js';
import { killBrowserGroupNow } from './kill.js';
import { LeaseStore, type Acquired, type LeaseRow } from './leases.js';
import { Lifeline } from './lifeline.js';
import type { ClusterMetrics } from './metrics.js';
import { NodeTable } from './nodes.js';
import { coordinatorFree, drainMove, homeMove, mayCoordinate, Placement } from './placement.js';
import { COORDINATOR_SLOT, ensureClusterTables } from './schema.js';
import { ClusterSlot, type SlotGate } from './slot.js';

/** As the Slot treats them: after these no node may bring the session back on its own. */
const TERMINAL = /^(LOGOUT|UNPAIRED.*|CONFLICT|TOS_BLOCK|SMB_TOS_BLOCK|PROXYBLOCK|DEPRECATED_VERSION)$/;
const SESSION_GONE = /^(LOGOUT|UNPAIRED.*)$/;
/** How often the fence timer compares deadlines with the monotonic clock. */
const FENCE_CHECK_MS = 50;
/** While a move to this node is pending, how often it looks for the release. */
const MOVE_WATCH_MS = 100;
/** The coordinator forgets nodes silent this long. */
const PRUNE_SILENT_MS = 60 * 60 * 1000;

export type Role = 'primary_master' | 'secondary_master';

interface Owned {
  fence: number;
  /** performance.now() after which this node must consider the lease lost. */
  deadline: number;
  releasing: boolean;
  /** Set on takeover: ms between the previous owner's last renew and our acquire, until READY. */
  takeoverMs: number | null;
  acquiredAt: number;
}

export interface ClusterNodeDeps {
  config: BridgeConfig;
  pool: Pool;
  nodeId: string;
  logger: Logger;
  metrics: ClusterMetrics;
  snapshots: SnapshotService;
  version: string;
  /** Slots a single bridge had connected: the first node of a new cluster starts from them. */
  localWishes: readonly number[];
}

export class ClusterNode implements SlotGate {
  readonly id: string;
  readonly leases: LeaseStore;
  readonly nodes: NodeTable;
  readonly lifeline = new Lifeline();
  readonly #deps: ClusterNodeDeps;
  readonly #log: Logger;
  readonly #owned = new Map<number, Owned>();
  /** Slots the node itself is starting or standing down: their wish hook must stay silent. */
  readonly #quiet = new Set<number>();
  readonly #placement = new Placement();
  readonly #timers: NodeJS.Timeout[] = [];
  #fenceTimer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #registry: SlotRegistry | null = null;
  #url = '';
  #running = false;
  #polling: Promise<void> | null = null;
  #renewing: Promise<void> | null = null;
  #lastPrune = 0;
  /** Set at start and on undrain: ask for this node's preferred slots back (placement.ts, homeMove). */
  #homecoming = false;
  #wasDraining = false;

  constructor(deps: ClusterNodeDeps) {
    this.#deps = deps;
    this.id = deps.nodeId;
    this.#log = deps.logger.child({ part: 'cluster', node: deps.nodeId });
    const { config } = deps;
    // A statement slower than one renew period is as good as failed; the deadline decides.
    this.leases = new LeaseStore(deps.pool, deps.nodeId, config.leaseTtlMs, Math.max(500, config.leaseRenewMs));
    this.nodes = new NodeTable(deps.pool, deps.nodeId, Math.max(500, config.leaseRenewMs));
  }

  get role(): Role {
    return this.#owned.has(COORDINATOR_SLOT) ? 'primary_master' : 'secondary_master';
  }

  get url(): string {
    return this.#url;
  }

  /** Slots this node runs (the coordinator lease not counted). */
  ownedSlots(): number[] {
    return [...this.#owned.keys()].filter((s) => s !== COORDINATOR_SLOT).sort((a, b) => a - b);
  }

  /** The `node` block of /api/health. */
  info() {
    const now = performance.now();
    return {
      id: this.id,
      url: this.#url,
      role: this.role,
      cluster: true as const,
      leases: [...this.#owned.entries()]
        .sort(([a], [b]) => a - b)
        .map(([slot, o]) => ({ slot, fence: o.fence, expiresInMs: Math.max(0, Math.round(o.deadline + this.#deps.config.fenceMarginMs - now)) })),
    };
  }

  /** The snapshot store's guard: who may write this slot's snapshots now. */
  fenceOf(slot: number): { node: string; fence: number } | null {
    return this.owns(slot) ? { node: this.id, fence: this.#owned.get(slot)!.fence } : null;
  }

  owns(slot: number): boolean {
    const o = this.#owned.get(slot);
    if (!o) return false;
    if (performance.now() >= o.deadline) {
      this.fence(slot, 'deadline');
      return false;
    }
    return true;
  }

  /** The slots, once built (they need this node as their gate). */
  attach(registry: SlotRegistry): void {
    this.#registry = registry;
    for (const slot of registry.slots) if (slot instanceof ClusterSlot) slot.gate = this;
  }

  /** Engines learn of the lifeline, and the node of sessions that ended for good. */
  wrapFactory(factory: EngineFactory): EngineFactory {
    return (ctx) =>
      factory({
        ...ctx,
        browserWatch: { launched: (pid) => this.lifeline.register(pid), exited: (pid) => this.lifeline.unregister(pid) },
        pageGuard: (page) => armPageDeadman(page as Page, () => this.#remainingMs(ctx.slot), Math.min(1000, this.#deps.config.leaseRenewMs)),
        emit: (event) => {
          ctx.emit(event);
          if (event.type === 'disconnected' && TERMINAL.test(event.reason)) setTimeout(() => void this.#terminal(ctx.slot, event.reason), 0);
        },
      });
  }

  /** Until this node's self-fence deadline for `slot` (0 when it does not hold the lease). */
  #remainingMs(slot: number): number {
    const o = this.#owned.get(slot);
    return o ? o.deadline - performance.now() : 0;
  }

  /** Slot hook: the API started or stopped a slot (silent while the node does it itself). */
  onWish(slot: Slot, connected: boolean): void {
    if (this.#quiet.has(slot.number)) return;
    this.wish(slot.number, connected);
  }

  wish(slot: number, wanted: boolean): void {
    void this.leases
      .setWanted(slot, wanted)
      .then(() => this.nudge())
      .catch((err: unknown) => this.#log.error({ slot, wanted, err: String(err) }, 'could not record the slot wish in the cluster database'));
  }

  async stoppedHere(slot: number): Promise<void> {
    const o = this.#owned.get(slot);
    if (!o || o.releasing) return;
    o.releasing = true;
    await this.#giveUp(slot, o, { unwanted: true });
  }

  /** Slot hook: state changes reach slot_status at once (renews refresh it too). */
  onSlotState(slot: Slot): void {
    const o = this.#owned.get(slot.number);
    if (!o) return;
    if (slot.state === 'READY' && o.takeoverMs !== null) {
      const seconds = (o.takeoverMs + performance.now() - o.acquiredAt) / 1000;
      o.takeoverMs = null;
      this.#deps.metrics.failover.observe(seconds);
      this.#log.info({ slot: slot.number, fence: o.fence, seconds: Math.round(seconds * 100) / 100 }, 'slot taken over and READY');
    }
    void this.#writeStatus(slot.number, o);
  }

  async start(url: string): Promise<void> {
    const { config } = this.#deps;
    this.#url = url;
    await ensureClusterTables(this.#deps.pool);
    await this.leases.ensureRows(config.slots, this.#deps.localWishes);
    await this.leases.setPreferred(config.preferredSlots.filter((s) => s <= config.slots));
    await this.nodes.heartbeat(this.#presence());
    await this.nodes.markStarted();
    this.lifeline.start();
    this.#running = true;
    this.#homecoming = true;
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.#timers.push(t);
      return t;
    };
    this.#fenceTimer = every(FENCE_CHECK_MS, () => this.#checkDeadlines());
    this.#renewTimer = every(config.leaseRenewMs, () => void this.#renewRound());
    every(config.standbyPollMs, () => void this.#pollRound());
    this.#log.info({ url, maxSlots: config.maxSlots, preferred: config.preferredSlots, ttlMs: config.leaseTtlMs }, 'joined the cluster');
    await this.#pollRound();
  }

  /** Clean stop: every slot is snapshotted and released for another node, then the coordinator lease. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    // Renewing (and the deadline check) go on until every slot is stopped and snapshotted: a
    // browser slow to close must not outlast the lease and get its stop snapshot refused FENCED.
    const keep = [this.#fenceTimer, this.#renewTimer];
    for (const t of this.#timers.splice(0)) if (!keep.includes(t)) clearInterval(t);
    await this.#polling;
    await Promise.all(
      [...this.#owned.entries()].map(async ([slot, o]) => {
        if (o.releasing) return;
        o.releasing = true;
        await this.#giveUp(slot, o, {});
      }),
    );
    for (const t of keep) clearInterval(t);
    await this.#renewing;
    this.lifeline.stop();
    this.#log.info('left the cluster');
  }

  #presence() {
    return { url: this.#url, version: this.#deps.version, capacity: this.#deps.config.maxSlots };
  }

  /** Look around now rather than at the next poll (a wish or a move just changed). */
  nudge(delayMs = 0): void {
    if (this.#running) setTimeout(() => void this.#pollRound(), delayMs).unref();
  }

  #checkDeadlines(): void {
    const now = performance.now();
    for (const [slot, o] of this.#owned) if (now >= o.deadline) this.fence(slot, 'deadline');
  }

  /**
   * The lease is (or may be) someone else's: kill the browser at once, then stop the slot. Nothing
   * more is written for it: the snapshot guard and slot_status both need the lease.
   */
  fence(slot: number, reason: string): void {
    const o = this.#owned.get(slot);
    if (!o) return;
    this.#owned.delete(slot);
    this.#deps.metrics.fenced.inc({ reason });
    this.#deps.metrics.leaseOwned.set({ slot: String(slot) }, 0);
    this.#log.warn({ slot, fence: o.fence, reason }, 'lease lost: slot fenced');
    if (slot === COORDINATOR_SLOT) return;
    const s = this.#slot(slot);
    if (!s) return;
    const pid = s.processInfo().pid;
    if (pid) killBrowserGroupNow(pid);
    void this.#standDown(s).catch((err: unknown) => this.#log.error({ slot, err: String(err) }, 'fenced slot did not stop cleanly'));
  }

  #slot(n: number): ClusterSlot | null {
    const slot = this.#registry?.slots[n - 1];
    return slot instanceof ClusterSlot ? slot : null;
  }

  async #standDown(slot: ClusterSlot): Promise<void> {
    this.#quiet.add(slot.number);
    try {
      await slot.standDown();
    } finally {
      this.#quiet.delete(slot.number);
    }
  }

  /** Stop the slot (its clean snapshot is written while the lease is still ours), then release. */
  async #giveUp(slot: number, o: Owned, opts: { unwanted?: boolean; stop?: boolean }): Promise<void> {
    const s = slot === COORDINATOR_SLOT ? null : this.#slot(slot);
    // Also when it shows STOPPED already: a stop from the API may still be storing its snapshot,
    // and the stand-down returns only after it (releasing first would fence that snapshot out).
    if (s && opts.stop !== false) await this.#standDown(s);
    if (this.#owned.get(slot) !== o) return; // fenced meanwhile
    this.#owned.delete(slot);
    this.#deps.metrics.leaseOwned.set({ slot: String(slot) }, 0);
    try {
      if (slot !== COORDINATOR_SLOT) await this.nodes.clearStatus(slot);
      await this.leases.release(slot, o.fence, { unwanted: opts.unwanted });
      this.#log.info({ slot, fence: o.fence, unwanted: opts.unwanted === true }, 'lease released');
    } catch (err) {
      this.#log.warn({ slot, err: String(err) }, 'could not release the lease; it expires on its own');
    }
  }

  /** A session ended for good (logged out, replaced, banned): release without a snapshot, not wanted. */
  async #terminal(slot: number, reason: string): Promise<void> {
    const o = this.#owned.get(slot);
    if (!o || o.releasing) return;
    o.releasing = true;
    if (reason === 'CONFLICT') {
      // Someone else drives this number: a fencing failure, or a copy outside the cluster.
      const statuses = await this.nodes.statuses().catch(() => []);
      this.#log.error({ slot, fence: o.fence, statuses }, 'CONFLICT: fencing failure suspected; slot released without a snapshot and not restarted');
    }
    const s = this.#slot(slot);
    if (SESSION_GONE.test(reason)) {
      // A logged-out slot relaunches into a QR: stop it first, then delete the stored snapshots
      // (worthless now, and they must not bring the old session back elsewhere), still fenced.
      if (s) await this.#standDown(s);
      await this.#deps.snapshots.forget(slot);
    }
    // CONFLICT and bans leave the slot FAILED (visible) and its snapshots in place.
    await this.#giveUp(slot, o, { unwanted: true, stop: false });
  }

  async #writeStatus(slot: number, o: Owned): Promise<void> {
    if (slot === COORDINATOR_SLOT) return;
    const s = this.#slot(slot);
    if (!s || this.#owned.get(slot) !== o) return;
    await this.nodes.writeStatus(slot, o.fence, { state: s.state, phone: s.phone, lastError: s.lastError }).catch(() => undefined);
  }

  #renewRound(): Promise<void> {
    this.#renewing ??= this.#renew().finally(() => {
      this.#renewing = null;
    });
    return this.#renewing;
  }

  async #renew(): Promise<void> {
    const { config } = this.#deps;
    const work: Promise<unknown>[] = [this.nodes.heartbeat(this.#presence())];
    for (const [slot, o] of this.#owned) {
      const sentAt = performance.now();
      work.push(
        this.leases.renew(slot, o.fence).then((ok) => {
          if (this.#owned.get(slot) !== o) return;
          if (!ok) return this.fence(slot, 'renew refused');
          o.deadline = sentAt + config.leaseTtlMs - config.fenceMarginMs;
          return this.#writeStatus(slot, o);
        }),
      );
    }
    const results = await Promise.allSettled(work);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) this.#log.warn({ err: String((failed as PromiseRejectedResult).reason) }, 'cluster database unreachable; slots stop at their lease deadline unless it returns');
  }

  #pollRound(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    this.#polling ??= this.#poll()
      .catch((err: unknown) => this.#log.debug({ err: String(err) }, 'cluster poll failed'))
      .finally(() => {
        this.#polling = null;
      });
    return this.#polling;
  }

  async #poll(): Promise<void> {
    const { config } = this.#deps;
    const [leases, nodes] = await Promise.all([this.leases.list(), this.nodes.list()]);
    for (const [slot, o] of this.#owned) {
      const row = leases.find((l) => l.slot === slot);
      if (!row || row.owner !== this.id || row.fence !== o.fence) {
        this.fence(slot, 'taken');
        continue;
      }
      if (o.releasing || slot === COORDINATOR_SLOT) continue;
      if (!row.wanted) {
        // Stopped from this node's API: stoppedHere() releases once the clean snapshot is stored
        // (releasing now would fence that snapshot out and the next owner would restore an older one).
        if (this.#slot(slot)?.stoppingHere) continue;
        o.releasing = true;
        void this.#giveUp(slot, o, { unwanted: true });
      } else if (row.moveTo && row.moveTo !== this.id) {
        o.releasing = true;
        this.#log.info({ slot, to: row.moveTo }, 'moving the slot: snapshot, then release');
        void this.#giveUp(slot, o, {});
      }
    }
    // A slot this node does not hold but still shows as busy (a FAILED one after a CONFLICT) is
    // stood down once another node runs it: only the lease holder's view of a slot is true.
    for (const row of leases) {
      const s = row.slot === COORDINATOR_SLOT ? null : this.#slot(row.slot);
      if (!s || this.#owned.has(row.slot) || this.#quiet.has(row.slot) || s.state === 'STOPPED') continue;
      if (!row.free && row.owner !== null && row.owner !== this.id) void this.#standDown(s).catch(() => undefined);
    }
    if (!this.#running) return;
    const aliveMs = 3 * config.leaseRenewMs;
    const draining = nodes.some((n) => n.id === this.id && n.draining);
    if (draining) {
      // Draining: hand the slots over by planned moves, one at a time (the loop above carries them out).
      const move = drainMove({ me: this.id, leases, nodes, aliveMs });
      if (move) {
        if (await this.leases.requestHandOver(move.slot, this.id, move.to)) this.#log.info(move, 'draining: moving a slot to another node');
        this.nudge();
      }
    } else if (this.#wasDraining) {
      this.#homecoming = true; // undrained: back in placement as if it had just joined
    }
    this.#wasDraining = draining;
    if (this.#homecoming) await this.#comeHome(draining, leases);
    // A move aimed here: watch closely for the release instead of waiting a whole poll period.
    if (leases.some((l) => l.moveTo === this.id && !l.free && l.owner !== this.id)) this.nudge(MOVE_WATCH_MS);
    const coordinate = mayCoordinate({ me: this.id, nodes, aliveMs });
    const coordinator = this.#owned.get(COORDINATOR_SLOT);
    if (coordinator && !coordinate && !coordinator.releasing) {
      coordinator.releasing = true;
      this.#log.info('draining: coordinator lease released for a node that is not draining');
      await this.#giveUp(COORDINATOR_SLOT, coordinator, {});
    } else if (coordinate && coordinatorFree(leases)) {
      await this.#take(COORDINATOR_SLOT);
    }
    const next = this.#placement.next(
      {
        me: this.id,
        leases,
        nodes,
        owned: this.ownedSlots().length,
        maxSlots: config.maxSlots,
        slots: config.slots,
        preferredSlots: config.preferredSlots,
        aliveMs,
      },
      performance.now(),
    );
    if (next !== null) await this.#take(next);
    if (this.role === 'primary_master' && Date.now() - this.#lastPrune > 60_000) {
      this.#lastPrune = Date.now();
      await this.nodes.prune(PRUNE_SILENT_MS).catch(() => undefined);
    }
  }

  /** One homecoming step: ask for the next preferred slot back, or end homecoming when none is left. */
  async #comeHome(draining: boolean, leases: readonly LeaseRow[]): Promise<void> {
    const { config } = this.#deps;
    const next = draining ? null : homeMove({ me: this.id, leases, owned: this.ownedSlots().length, maxSlots: config.maxSlots, slots: config.slots });
    if (next === null) {
      this.#homecoming = false;
      return;
    }
    if (next === 'wait') return;
    const from = leases.find((l) => l.slot === next)!.owner!;
    if (await this.leases.requestMoveBack(next, from)) this.#log.info({ slot: next, from }, 'preferred slot asked back from the node that ran it meanwhile');
    this.nudge(MOVE_WATCH_MS);
  }

  async #take(slot: number): Promise<void> {
    const { config } = this.#deps;
    const got = await this.leases.acquire(slot);
    if (!got || !this.#running) {
      if (got) await this.leases.release(slot, got.fence).catch(() => undefined);
      return;
    }
    this.#placement.forget(slot);
    const tookOver = got.previous.owner !== null && got.previous.owner !== this.id && got.previous.renewedAgoMs !== null;
    const o: Owned = {
      fence: got.fence,
      deadline: got.sentAt + config.leaseTtlMs - config.fenceMarginMs,
      releasing: false,
      takeoverMs: tookOver ? got.previous.renewedAgoMs : null,
      acquiredAt: performance.now(),
    };
    this.#owned.set(slot, o);
    this.#deps.metrics.leaseOwned.set({ slot: String(slot) }, 1);
    this.#log.info({ slot, fence: got.fence, from: got.previous.owner }, slot === COORDINATOR_SLOT ? 'coordinator lease acquired (primary_master)' : 'slot lease acquired');
    if (slot === COORDINATOR_SLOT) return;
    const s = this.#slot(slot);
    if (!s) return;
    await this.#prepareProfile(slot, got);
    if (this.#owned.get(slot) !== o) return; // fenced while preparing
    this.#quiet.add(slot);
    try {
      s.startOwned();
    } finally {
      this.#quiet.delete(slot);
    }
    void this.#writeStatus(slot, o);
  }

  /**
   * Keep the local profile only when this node ran the slot under the fence just before (nobody
   * else ran it since); otherwise wipe it, so the launch restores the newest snapshot.
   */
  async #prepareProfile(slot: number, got: Acquired): Promise<void> {
    const { config, snapshots } = this.#deps;
    const marker = path.join(config.dataDir, 'cluster', `slot-${slot}.fence`);
    let mine = false;
    try {
      mine = fs.readFileSync(marker, 'utf8').trim() === `${this.id} ${got.previous.fence}` && got.previous.owner === this.id;
    } catch {
      // never ran here
    }
    if (!mine) {
      fs.rmSync(profileDirOf(config.dataDir, slot), { recursive: true, force: true, maxRetries: 3 });
      // The shared store knows which account the slot runs now; this node's own book may be stale.
      const newest = await snapshots.newest(slot).catch(() => null);
      if (newest) snapshots.accounts.setAccount(slot, newest.wid);
    }
    fs.mkdirSync(path.dirname(marker), { recursive: true });
    fs.writeFileSync(marker, `${this.id} ${got.fence}\n`);
  }
}
