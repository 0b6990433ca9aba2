// Cross-node events without the poll wait. A node that appended rows to `shared_events` pokes the
// other live nodes (POST /api/cluster/events/poke with the cluster key) and a poked node reads its
// event tail at once. A poke carries nothing: it only brings the next read forward, so the tail's
// order and gap rules (bridge/cluster/events.ts) stay what they are, and a lost poke costs no more
// than the poll interval, which stays as the fallback.
// Sending never blocks or fails the node that wrote: fire-and-forget, a short timeout, and at most
// one poke in flight per peer — events appended meanwhile make one more poke after it, not many.
import http from 'node:http';
import https from 'node:https';
import { Router } from 'express';
import type { Logger } from 'pino';
import { checkClusterKey, CLUSTER_KEY_HEADER } from './cluster-key.js';

export const POKE_PATH = '/api/cluster/events/poke';
const POKE_TIMEOUT_MS = 1000;
/** A peer that answers but refuses pokes (an older release mid rolling upgrade: 400) is left alone this long. */
const REFUSED_REST_MS = 30_000;

export interface Peer {
  id: string;
  /** The node's advertised URL. */
  url: string;
}

interface PeerState {
  url: string;
  inFlight: boolean;
  /** Appended again while a poke was in flight: poke once more when it ends. */
  again: boolean;
  /** The last poke failed (logged once, not at every event). */
  failing: boolean;
  /** Not poked before this time (ms): it refused the last poke. */
  restUntil: number;
}

export interface EventPokerOptions {
  nodeId: string;
  clusterKey: string;
  /** The cluster's live nodes (this one may be among them; it is skipped). */
  peers: () => readonly Peer[];
  logger: Logger;
  timeoutMs?: number;
  refusedRestMs?: number;
}

export class EventPoker {
  private readonly state = new Map<string, PeerState>();
  // One socket per peer is enough (one poke in flight); kept alive so a poke is one round trip.
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly opts: EventPokerOptions) {
    this.log = opts.logger.child({ part: 'cluster-poke' });
  }

  /** Rows were appended: poke every other live node. Returns at once; never throws. */
  poke(): void {
    if (this.closed) return;
    let peers: readonly Peer[];
    try {
      peers = this.opts.peers().filter((p) => p.id !== this.opts.nodeId);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'cluster: no node list to poke');
      return;
    }
    for (const id of this.state.keys()) if (!peers.some((p) => p.id === id)) this.state.delete(id);
    for (const peer of peers) {
      let s = this.state.get(peer.id);
      if (!s || s.url !== peer.url) {
        s = { url: peer.url, inFlight: false, again: false, failing: false, restUntil: 0 };
        this.state.set(peer.id, s);
      }
      if (s.inFlight) s.again = true;
      else if (Date.now() >= s.restUntil) this.send(peer.id, s);
    }
  }

  private send(id: string, s: PeerState): void {
    s.inFlight = true;
    s.again = false;
    let ended = false;
    const end = (problem: string | null, refused = false) => {
      if (ended) return;
      ended = true;
      s.inFlight = false;
      if (refused) s.restUntil = Date.now() + (this.opts.refusedRestMs ?? REFUSED_REST_MS);
      if (problem && !s.failing) this.log.warn({ peer: id, problem }, 'cluster: a node could not be poked (its clients get events at its next poll)');
      else if (problem) this.log.debug({ peer: id, problem }, 'cluster: poke failed');
      s.failing = problem !== null;
      // Only while the peer is still listed under this address.
      if (s.again && !refused && !this.closed && this.state.get(id) === s) this.send(id, s);
    };
    try {
      const url = new URL(POKE_PATH, s.url);
      const secure = url.protocol === 'https:';
      const req = (secure ? https : http).request(
        url,
        { method: 'POST', agent: secure ? this.httpsAgent : this.httpAgent, timeout: this.opts.timeoutMs ?? POKE_TIMEOUT_MS, headers: { [CLUSTER_KEY_HEADER]: this.opts.clusterKey, 'content-length': 0 } },
        (res) => {
          res.resume();
          const problem = res.statusCode === 204 ? null : `answered ${res.statusCode}`;
          res.on('end', () => end(problem, problem !== null));
          res.on('error', (err) => end(err.message));
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer in time')));
      req.on('error', (err) => end(err.message));
      req.end();
    } catch (err) {
      end((err as Error).message); // e.g. an unusable advertised URL
    }
  }

  close(): void {
    this.closed = true;
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/**
 * The poked side, mounted before the API's auth: only another node (the cluster key) may poke;
 * without the key 401, a wrong key 403, and nothing is read.
 */
export function pokeRoute(clusterKey: string | undefined, onPoke: () => void): Router {
  const r = Router();
  r.post(POKE_PATH, (req, res) => {
    checkClusterKey(req.headers, clusterKey);
    res.locals.quietLog = true; // one per event per peer: the request log would drown in them (refusals stay at info)
    onPoke();
    res.status(204).end();
  });
  return r;
}
