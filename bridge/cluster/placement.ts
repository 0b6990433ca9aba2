// Which free slot this node should try to take next. A node with room takes wanted slots that
// are free or expired: a move aimed at it and its preferred slots at once, others after waiting
// `owned × 300 ms` plus jitter (so load spreads: the emptiest node usually wins), and never a
// slot whose preferred node, or the node a move is aimed at, is alive. A draining node takes
// nothing (and counts as gone for the preferences and moves of others), and hands the
// coordinator lease to a node that is not draining. A node that joins or is undrained asks for
// its preferred slots back from the nodes that ran them meanwhile (homecoming).
import type { LeaseRow } from './leases.js';
import type { NodeRow } from './nodes.js';
import { COORDINATOR_SLOT } from './schema.js';

export const WAIT_PER_OWNED_MS = 300;

export interface PlacementView {
  me: string;
  leases: readonly LeaseRow[];
  nodes: readonly NodeRow[];
  /** Slots this node runs now (the coordinator lease not counted). */
  owned: number;
  maxSlots: number;
  /** Slots that exist (WA_BRIDGE_SLOTS). */
  slots: number;
  preferredSlots: readonly number[];
  /** A node whose heartbeat is younger than this counts as alive. */
  aliveMs: number;
}

export class Placement {
  /** When each free slot was first seen free, and the jitter drawn for it. */
  readonly #waiting = new Map<number, { since: number; jitterMs: number }>();

  constructor(private readonly jitter: () => number = () => Math.floor(Math.random() * 200)) {}

  /** The slot to try now, or null. `now` is a monotonic clock in ms. */
  next(view: PlacementView, now: number): number | null {
    if (view.nodes.some((n) => n.id === view.me && n.draining)) {
      this.#waiting.clear();
      return null;
    }
    const alive = (id: string | null) => id !== null && view.nodes.some((n) => n.id === id && n.silentMs < view.aliveMs && !n.draining);
    const free = new Set<number>();
    let best: { slot: number; urgent: boolean } | null = null;
    for (const lease of view.leases) {
      if (lease.slot === COORDINATOR_SLOT || lease.slot > view.slots || !lease.wanted || !lease.free) continue;
      free.add(lease.slot);
      const movedHere = lease.moveTo === view.me;
      if (lease.moveTo && !movedHere && alive(lease.moveTo)) continue;
      if (!movedHere && lease.preferredNode && lease.preferredNode !== view.me && alive(lease.preferredNode)) continue;
      if (view.owned >= view.maxSlots) continue;
      const urgent = movedHere || lease.preferredNode === view.me || view.preferredSlots.includes(lease.slot);
      let waiting = this.#waiting.get(lease.slot);
      if (!waiting) {
        waiting = { since: now, jitterMs: this.jitter() };
        this.#waiting.set(lease.slot, waiting);
      }
      const due = urgent || now - waiting.since >= view.owned * WAIT_PER_OWNED_MS + waiting.jitterMs;
      if (!due) continue;
      if (!best || (urgent && !best.urgent)) best = { slot: lease.slot, urgent };
    }
    for (const slot of this.#waiting.keys()) if (!free.has(slot)) this.#waiting.delete(slot);
    return best?.slot ?? null;
  }

  /** Taken (by anyone): the next time it is free, the wait starts again. */
  forget(slot: number): void {
    this.#waiting.delete(slot);
  }
}

/** Whether the coordinator lease is there for the taking. */
export function coordinatorFree(leases: readonly LeaseRow[]): boolean {
  return leases.some((l) => l.slot === COORDINATOR_SLOT && l.free);
}

/**
 * Whether this node may hold (or take) the coordinator lease: always, unless it is draining while
 * a live node that is not draining can coordinate instead. With none, a draining node keeps (or
 * takes) it: someone must coordinate.
 */
export function mayCoordinate(view: Pick<PlacementView, 'me' | 'nodes' | 'aliveMs'>): boolean {
  if (!view.nodes.some((n) => n.id === view.me && n.draining)) return true;
  return !view.nodes.some((n) => n.id !== view.me && !n.draining && n.silentMs < view.aliveMs);
}

/**
 * Homecoming, after this node joined or was undrained: the lowest of its preferred slots (by
 * slot_leases.preferred_node) that another node runs, wanted and with no move pending, to ask back
 * by a planned move. 'wait' while a move to this node is under way (one at a time); null when none
 * is left to ask for, or this node has no room: homecoming is over.
 */
export function homeMove(view: Pick<PlacementView, 'me' | 'leases' | 'owned' | 'maxSlots' | 'slots'>): number | 'wait' | null {
  const slots = view.leases.filter((l) => l.slot !== COORDINATOR_SLOT && l.slot <= view.slots);
  if (slots.some((l) => l.moveTo === view.me && l.owner !== view.me)) return 'wait';
  if (view.owned >= view.maxSlots) return null;
  const away = slots.filter((l) => l.preferredNode === view.me && l.wanted && !l.free && l.owner !== view.me && l.moveTo === null);
  return away.length > 0 ? Math.min(...away.map((l) => l.slot)) : null;
}

/**
 * A draining node's next hand-over: its lowest slot, to the live, non-draining node with the most
 * room (one move at a time, so the slots leave one after another); null while a move is under
 * way, or when no node has room (the slot keeps running here rather than go dark).
 */
export function drainMove(view: Pick<PlacementView, 'me' | 'leases' | 'nodes' | 'aliveMs'>): { slot: number; to: string } | null {
  const mine = view.leases.filter((l) => l.slot !== COORDINATOR_SLOT && l.owner === view.me && !l.free);
  // One move at a time: wait while one of ours is leaving (or released and not yet taken).
  if (mine.length === 0 || view.leases.some((l) => l.slot !== COORDINATOR_SLOT && l.moveTo !== null && (l.owner === view.me || l.free))) return null;
  const held = (id: string) => view.leases.filter((l) => l.slot !== COORDINATOR_SLOT && !l.free && (l.owner === id || l.moveTo === id)).length;
  const targets = view.nodes
    .filter((n) => n.id !== view.me && !n.draining && n.silentMs < view.aliveMs)
    .map((n) => ({ id: n.id, room: n.capacity - held(n.id) }))
    .filter((t) => t.room > 0)
    .sort((a, b) => b.room - a.room || a.id.localeCompare(b.id));
  if (targets.length === 0) return null;
  return { slot: Math.min(...mine.map((l) => l.slot)), to: targets[0]!.id };
}
