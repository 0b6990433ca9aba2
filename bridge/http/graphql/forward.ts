// Cluster mode: a GraphQL mutation or slot query (whatsAppStatus, slot) for a slot another node
// runs is run by that node — the same field, sent to the owner's /graphql with the cluster key and the caller (whose scope the owner
// checks again). A forwarded request is answered where it lands (no loops), as REST does
// (bridge/cluster/forward.ts).
import type { BridgeContext } from '../../context.js';
import type { Caller } from '../../auth/scope.js';
import { BridgeError, type ErrorCode } from '../../domain/index.js';
import { ERROR_STATUS } from '../../domain/errors.js';

/** GraphQL codes that name a bridge code differently (the reverse of errors.ts' renaming). */
const BRIDGE_CODE: Record<string, ErrorCode> = { UNAUTHENTICATED: 'UNAUTHORIZED', INTERNAL_SERVER_ERROR: 'INTERNAL' };

export interface ForwardingContext {
  ctx: BridgeContext;
  caller: Caller;
  /** This request came from another node already: serve it here. */
  forwarded: boolean;
}

/** Marks "run it here" (the slot is this node's, nobody's, or the request was forwarded once). */
export const LOCAL = Symbol('local');

/**
 * Run `document` (one field, aliased `r`) on the owner of `slot` when that is another node and
 * return the field's value; LOCAL when the resolver should run here.
 */
export async function onOwner(c: ForwardingContext, slot: number, document: string, variables: Record<string, unknown>): Promise<unknown> {
  const routing = c.ctx.routing;
  if (!routing || c.forwarded) return LOCAL;
  let owner;
  try {
    owner = await routing.directory.ownerOf(slot);
  } catch (err) {
    throw new BridgeError('STORE_UNAVAILABLE', `cannot tell which node runs slot ${slot}: ${(err as Error).message}`);
  }
  if (!owner || owner.node === routing.nodeId) return LOCAL;
  const answer = await routing.callJson(owner, '/graphql', c.caller, { query: document, variables });
  const body = (answer.body ?? {}) as { data?: { r?: unknown } | null; errors?: { message?: string; extensions?: { code?: string; retryAfter?: number } }[] };
  const error = body.errors?.[0];
  if (error) {
    const named = error.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    const code = BRIDGE_CODE[named] ?? (named in ERROR_STATUS ? (named as ErrorCode) : 'INTERNAL');
    const retryAfter = error.extensions?.retryAfter;
    throw new BridgeError(code, error.message ?? `node ${owner.node} answered ${answer.status}`, typeof retryAfter === 'number' ? { retryAfter } : {});
  }
  if (!body.data || !('r' in body.data)) throw new BridgeError('NOT_CONNECTED', `slot ${slot}: node ${owner.node} answered ${answer.status} without a result`);
  return body.data.r;
}

/** The forwarded documents, one per query or mutation that acts on a slot. */
export const FORWARDED = {
  // Slot queries answer the owner's truth, as REST's /slots/:n/… routes do. The QR is asked for
  // apart, only when selected: its fields may fail alone (FORBIDDEN, QR_EXPIRED) while the status answers.
  status: 'query($slot: Int) { r: whatsAppStatus(slot: $slot) { connected slot state } }',
  statusQr: 'query($slot: Int) { r: whatsAppStatus(slot: $slot) { qrCode qrCodeSvg qrExpiresAt } }',
  slot: 'query($slot: Int) { r: slot(slot: $slot) { slot state connected active hasQr phone name since sessionSeconds lastError queued } }',
  connect: 'mutation($slot: Int) { r: whatsAppConnect(slot: $slot) }',
  disconnect: 'mutation($slot: Int, $logout: Boolean) { r: whatsAppDisconnect(slot: $slot, logout: $logout) }',
  notify: 'mutation($slot: Int, $phoneNumber: String!, $message: String!) { r: sendWhatsAppNotification(slot: $slot, phoneNumber: $phoneNumber, message: $message) }',
  test: 'mutation($slot: Int, $phoneNumber: String!) { r: testWhatsAppConnection(slot: $slot, phoneNumber: $phoneNumber) }',
  sendText: 'mutation($input: SendTextInput!) { r: sendText(input: $input) { messageId queued outboxId } }',
} as const;
