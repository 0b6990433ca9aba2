// The first frame on every socket: what a phone needs to draw its screens without asking —
// each slot it may see (state, account, the QR while one is waiting), the server's clock and
// the last event number, plus the outcome of a `?since=` replay.
import type { BridgeContext } from '../context.js';
import type { Slot } from '../slots/slot.js';
import type { EventLog, ReplayResult } from './replay.js';

export interface HelloSlot {
  slot: number;
  state: Slot['state'];
  ready: boolean;
  account: { phone: string | null; name: string | null } | null;
  /** PNG data URL of the QR to scan, while the slot waits for one. */
  qr: string | null;
}

export function helloSlot(slot: Slot): HelloSlot {
  const waitingForScan = slot.state === 'QR' && slot.qr !== null;
  return {
    slot: slot.number,
    state: slot.state,
    ready: slot.ready,
    account: slot.phone || slot.name ? { phone: slot.phone, name: slot.name } : null,
    qr: waitingForScan ? slot.qr!.png : null,
  };
}

export function helloFrame(
  ctx: BridgeContext,
  log: EventLog,
  visible: (slot: number) => boolean,
  replay: { since: number; result: ReplayResult; count: number } | null,
  /** Only tokens that may manage slots see a waiting QR (scanning it links an account). */
  showQr = true,
) {
  return {
    type: 'hello' as const,
    serverTime: Date.now(),
    /** The last event number; pass it back as `?since=` after a reconnect. */
    seq: log.lastSeq,
    /** Changes when the bridge restarts (event numbers start again). */
    bootId: log.bootId,
    slots: ctx.registry.slots.filter((s) => visible(s.number)).map((s) => (showQr ? helloSlot(s) : { ...helloSlot(s), qr: null })),
    // Cluster mode: every node a phone may move to (additive; single bridges leave it out).
    ...(ctx.routing ? { nodes: ctx.routing.nodes().map(phoneEndpoint) } : {}),
    ...(replay ? { replay: { since: replay.since, count: replay.count, complete: replay.result.complete } } : {}),
  };
}

/** A node as a phone needs it: where (HTTPS, else the advertised URL) and what to pin. */
export function phoneEndpoint(n: { id: string; url: string; httpsUrl: string | null; fingerprint: string | null; nextFingerprint: string | null }) {
  return { id: n.id, url: n.httpsUrl ?? n.url, fingerprint: n.fingerprint, ...(n.nextFingerprint ? { nextFingerprint: n.nextFingerprint } : {}) };
}
