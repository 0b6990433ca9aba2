// Node-to-node calls carry the cluster key and the original caller. The owner trusts a forwarded
// caller (and its device scope) only with the right key, compared in constant time; a forwarded
// caller without the key is refused, never treated as the admin or as anyone else.
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { ROLES, type Caller } from '../auth/scope.js';
import { BridgeError } from '../domain/index.js';

export const CLUSTER_KEY_HEADER = 'x-wab-cluster-key';
/** The caller the first node authenticated (base64url JSON). */
export const CALLER_HEADER = 'x-wab-caller';
/** Set on a forwarded request: it is handled where it lands, never forwarded again (no loops). */
export const HOP_HEADER = 'x-wab-hop';

const callerSchema = z.union([
  z.object({ kind: z.literal('admin'), id: z.literal('admin') }).strict(),
  z
    .object({
      kind: z.literal('device'),
      id: z.string().min(1).max(64),
      scope: z.object({ slots: z.array(z.number().int().min(1).max(32)).max(32).nullable(), role: z.enum(ROLES) }).strict(),
    })
    .strict(),
]);

export function encodeCaller(caller: Caller): string {
  return Buffer.from(JSON.stringify(caller)).toString('base64url');
}

function sameKey(given: string, expected: string): boolean {
  // Hash both: equal lengths for timingSafeEqual, and the length of the key is not leaked.
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Whether a request claims to come from another node. */
export function isForwarded(headers: IncomingHttpHeaders): boolean {
  return headers[CLUSTER_KEY_HEADER] !== undefined || headers[CALLER_HEADER] !== undefined;
}

/** A node-to-node call must carry the cluster key: without it 401, a wrong one (or none configured) 403. */
export function checkClusterKey(headers: IncomingHttpHeaders, clusterKey: string | undefined): void {
  const key = one(headers[CLUSTER_KEY_HEADER]);
  if (key === undefined) throw new BridgeError('UNAUTHORIZED', `a node-to-node request needs the cluster key (${CLUSTER_KEY_HEADER})`);
  if (!clusterKey || !sameKey(key, clusterKey)) throw new BridgeError('FORBIDDEN', `wrong cluster key (${CLUSTER_KEY_HEADER}): this node belongs to another cluster or the key differs`);
}

/**
 * The caller of a forwarded request. Without the key: 401; with a wrong key: 403; an unreadable
 * caller: 400. `clusterKey` undefined (not in cluster mode) refuses every forwarded request.
 */
export function forwardedCaller(headers: IncomingHttpHeaders, clusterKey: string | undefined): Caller {
  checkClusterKey(headers, clusterKey);
  const raw = one(headers[CALLER_HEADER]);
  if (raw === undefined) throw new BridgeError('VALIDATION_ERROR', `${CALLER_HEADER}: missing (who the first node authenticated)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new BridgeError('VALIDATION_ERROR', `${CALLER_HEADER}: not base64url JSON`);
  }
  const result = callerSchema.safeParse(parsed);
  if (!result.success) throw new BridgeError('VALIDATION_ERROR', `${CALLER_HEADER}: not a caller`);
  return result.data as Caller;
}
