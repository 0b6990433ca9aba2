import { describe, expect, it } from 'vitest';
import type { LeaseRow } from './leases.js';
import type { NodeRow } from './nodes.js';
import { coordinatorFree, drainMove, homeMove, mayCoordinate, Placement, WAIT_PER_OWNED_MS, type PlacementView } from './placement.js';

const lease = (slot: number, over: Partial<LeaseRow> = {}): LeaseRow => ({
  slot,
  owner: null,
  fence: 0,
  free: true,
  wanted: true,
  preferredNode: null,
  moveTo: null,
  expiresInMs: null,
  renewedAgoMs: null,
  ...over,
});
const node = (id: string, silentMs = 0, over: Partial<NodeRow> = {}): NodeRow => ({ id, url: 'http://x', version: '0', pid: 1, capacity: 6, draining: false, silentMs, ...over });

const view = (over: Partial<PlacementView>): PlacementView => ({
  me: 'me',
  leases: [],
  nodes: [node('me'), node('other')],
  owned: 0,
  maxSlots: 6,
  slots: 6,
  preferredSlots: [],
  aliveMs: 1500,
  ...over,
});

describe('placement', () => {
  it('takes a free wanted slot after owned × 300 ms plus jitter, not before', () => {
    const p = new Placement(() => 50);
    const v = view({ leases: [lease(0), lease(1, { wanted: false }), lease(2)], owned: 2 });
    expect(p.next(v, 1000)).toBeNull();
    expect(p.next(v, 1000 + 2 * WAIT_PER_OWNED_MS + 49)).toBeNull();
    expect(p.next(v, 1000 + 2 * WAIT_PER_OWNED_MS + 50)).toBe(2);
  });

  it('moves aimed here and preferred slots go first, at once', () => {
    const p = new Placement(() => 0);
    expect(p.next(view({ leases: [lease(1), lease(2, { moveTo: 'me' })], owned: 3 }), 0)).toBe(2);
    expect(new Placement(() => 0).next(view({ leases: [lease(1), lease(3)], owned: 3, preferredSlots: [3] }), 0)).toBe(3);
    expect(new Placement(() => 0).next(view({ leases: [lease(1), lease(4, { preferredNode: 'me' })], owned: 3 }), 0)).toBe(4);
  });

  it('leaves slots preferred by, or moving to, a live node; takes them once that node is silent', () => {
    const leases = [lease(1, { preferredNode: 'other' }), lease(2, { moveTo: 'other' })];
    expect(new Placement(() => 0).next(view({ leases }), 0)).toBeNull();
    expect(new Placement(() => 0).next(view({ leases, nodes: [node('me'), node('other', 5000)] }), 0)).toBe(1);
  });

  it('never past capacity, never a held or missing slot, never the coordinator row', () => {
    const p = new Placement(() => 0);
    expect(p.next(view({ leases: [lease(1)], owned: 2, maxSlots: 2 }), 10_000)).toBeNull();
    expect(p.next(view({ leases: [lease(1, { free: false, owner: 'other' })] }), 10_000)).toBeNull();
    expect(p.next(view({ leases: [lease(7)], slots: 6 }), 10_000)).toBeNull();
    expect(p.next(view({ leases: [lease(0)] }), 10_000)).toBeNull();
    expect(coordinatorFree([lease(0)])).toBe(true);
    expect(coordinatorFree([lease(0, { free: false, owner: 'x' })])).toBe(false);
  });

  it('the wait starts again when a slot was taken and freed', () => {
    const p = new Placement(() => 0);
    const v = view({ leases: [lease(1)], owned: 1 });
    expect(p.next(v, 0)).toBeNull();
    expect(p.next(view({ leases: [lease(1, { free: false, owner: 'x' })], owned: 1 }), 100)).toBeNull();
    expect(p.next(v, 400)).toBeNull(); // seen free again at 400
    expect(p.next(v, 400 + WAIT_PER_OWNED_MS)).toBe(1);
  });

  it('a draining node takes nothing, not even a move aimed at it; others take its preferred slots', () => {
    const draining = [node('me', 0, { draining: true }), node('other')];
    expect(new Placement(() => 0).next(view({ leases: [lease(1, { moveTo: 'me' }), lease(2, { preferredNode: 'me' })], nodes: draining }), 10_000)).toBeNull();
    const asOther = view({ me: 'other', leases: [lease(2, { preferredNode: 'me' })], nodes: draining });
    expect(new Placement(() => 0).next(asOther, 0)).toBe(2);
  });
});

describe('draining hand-over', () => {
  const held = (slot: number, owner: string, over: Partial<LeaseRow> = {}) => lease(slot, { owner, free: false, fence: 1, ...over });
  const base = { me: 'me', aliveMs: 1500 };

  it('moves the lowest slot to the live, non-draining node with the most room', () => {
    const nodes = [node('me', 0, { draining: true }), node('b', 0, { capacity: 2 }), node('c', 0, { capacity: 4 }), node('d', 0, { draining: true }), node('e', 9000)];
    expect(drainMove({ ...base, nodes, leases: [lease(0, { owner: 'me', free: false }), held(3, 'me'), held(2, 'me'), held(4, 'c')] })).toEqual({ slot: 2, to: 'c' });
    // A pending move counts against its target's room: c (4 − 1 held − 1 coming = 2) ties with b (2), and b wins by id.
    expect(drainMove({ ...base, nodes, leases: [held(3, 'me'), held(4, 'c'), held(5, 'x', { moveTo: 'c' })] })).toEqual({ slot: 3, to: 'b' });
  });

  it('one move at a time, none without room, nothing when it holds nothing', () => {
    const nodes = [node('me', 0, { draining: true }), node('b', 0, { capacity: 1 })];
    expect(drainMove({ ...base, nodes, leases: [held(1, 'me', { moveTo: 'b' }), held(2, 'me')] })).toBeNull();
    expect(drainMove({ ...base, nodes, leases: [lease(1, { moveTo: 'b' }), held(2, 'me')] })).toBeNull();
    expect(drainMove({ ...base, nodes, leases: [held(1, 'me'), held(2, 'b')] })).toBeNull();
    expect(drainMove({ ...base, nodes, leases: [held(2, 'b')] })).toBeNull();
    expect(drainMove({ ...base, nodes, leases: [held(1, 'me')] })).toEqual({ slot: 1, to: 'b' });
  });
});

describe('the coordinator lease and draining', () => {
  const base = { me: 'me', aliveMs: 1500 };

  it('a node that is not draining may coordinate', () => {
    expect(mayCoordinate({ ...base, nodes: [node('me'), node('b')] })).toBe(true);
    expect(mayCoordinate({ ...base, nodes: [node('me')] })).toBe(true);
  });

  it('a draining node hands it to a live node that is not draining, else keeps it', () => {
    const me = node('me', 0, { draining: true });
    expect(mayCoordinate({ ...base, nodes: [me, node('b')] })).toBe(false);
    expect(mayCoordinate({ ...base, nodes: [me] })).toBe(true);
    expect(mayCoordinate({ ...base, nodes: [me, node('b', 0, { draining: true }), node('c', 9000)] })).toBe(true);
  });
});

describe('homecoming (a node that joined or was undrained asks for its preferred slots back)', () => {
  const held = (slot: number, owner: string, over: Partial<LeaseRow> = {}) => lease(slot, { owner, free: false, fence: 1, preferredNode: 'me', ...over });
  const home = (leases: LeaseRow[], over: { owned?: number; maxSlots?: number } = {}) => homeMove({ me: 'me', leases, owned: 0, maxSlots: 6, slots: 6, ...over });

  it('asks for the lowest preferred slot another node runs', () => {
    expect(home([lease(0, { owner: 'b', free: false }), held(4, 'b'), held(3, 'c'), held(1, 'b', { preferredNode: 'b' })])).toBe(3);
  });

  it('one at a time: waits while a move to it is under way (held elsewhere or released)', () => {
    expect(home([held(2, 'b', { moveTo: 'me' }), held(3, 'b')])).toBe('wait');
    expect(home([lease(2, { moveTo: 'me' }), held(3, 'b')])).toBe('wait');
  });

  it('over when nothing is left to ask for: its own, free, unwanted, moving elsewhere, missing, or not preferred here', () => {
    expect(home([held(1, 'me'), lease(2, { preferredNode: 'me' }), held(3, 'b', { wanted: false }), held(4, 'b', { moveTo: 'c' }), held(7, 'b'), held(5, 'b', { preferredNode: 'b' })])).toBeNull();
    expect(home([])).toBeNull();
  });

  it('over when it has no room', () => {
    expect(home([held(3, 'b')], { owned: 2, maxSlots: 2 })).toBeNull();
    expect(home([held(3, 'b')], { owned: 1, maxSlots: 2 })).toBe(3);
  });
});
