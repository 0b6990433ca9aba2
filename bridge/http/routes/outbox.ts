// The admin's view of queued messages that did not go, from any client: list, retry, discard.
// In cluster mode the shared table answers on any node; a retry runs on the slot's owner, whose
// drain sends it (forwarded like a slot command), or here when no node runs the slot now.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { limitParam, parseOrThrow } from '../../api/schemas.js';
import type { Caller } from '../../auth/scope.js';
import { HOP_HEADER } from '../../cluster/cluster-key.js';
import type { BridgeContext } from '../../context.js';
import { BridgeError } from '../../domain/index.js';
import type { OutboxState } from '../../state/outbox.js';
import { callerOf } from '../auth.js';

const listQuery = z.object({
  slot: z.coerce.number().int().min(1).max(64).optional(),
  status: z.enum(['pending', 'failed', 'unconfirmed']).optional(),
  limit: limitParam(200, 200),
});
const idParam = z.string().min(1).max(64);

async function entryOrThrow(ctx: BridgeContext, id: string): Promise<OutboxState> {
  const state = await ctx.messenger.outboxStatus(id);
  if (!state) throw new BridgeError('NOT_FOUND', `no queued message ${id}`);
  return state;
}

/** Retry needs a failed entry, discard a pending or failed one; otherwise it is gone or in the way. */
async function refusal(ctx: BridgeContext, id: string, action: string, wanted: string): Promise<BridgeError> {
  const state = await entryOrThrow(ctx, id);
  // Failed yet not retried: queued media stored in pieces (cluster mode) loses them when it fails.
  if (state.status === 'failed' && action === 'retried') return new BridgeError('CONFLICT', `queued message ${id} cannot be retried: its media was not kept after it failed; send it again`);
  return new BridgeError('CONFLICT', `queued message ${id} is ${state.status}: only a ${wanted} one can be ${action}`);
}

/** The retry runs where the slot runs (its drain sends it); true = the owner answered (relayed). */
async function forwardedToOwner(ctx: BridgeContext, req: Request, res: Response, slot: number): Promise<boolean> {
  if (!ctx.routing || req.headers[HOP_HEADER] !== undefined) return false;
  const owner = await ctx.routing.directory.ownerOf(slot).catch((err: unknown) => {
    throw new BridgeError('STORE_UNAVAILABLE', `cannot tell which node runs slot ${slot}: ${(err as Error).message}`);
  });
  if (!owner || owner.node === ctx.routing.nodeId) return false;
  // The owner's answer as it gave it: a success, or its error envelope (404, 409, …).
  const answer = await ctx.routing.callJson(owner, req.originalUrl, res.locals.caller as Caller, {});
  res.status(answer.status).json(answer.body);
  return true;
}

export function outboxRoutes(ctx: BridgeContext): Router {
  const r = Router();

  r.get('/outbox', async (req, res) => {
    const filter = parseOrThrow(listQuery, req.query);
    res.json({ success: true, data: await ctx.messenger.outboxList(filter) });
  });

  r.post('/outbox/:id/retry', async (req, res) => {
    const id = parseOrThrow(idParam, req.params.id);
    const { slot } = await entryOrThrow(ctx, id);
    if (await forwardedToOwner(ctx, req, res, slot)) return;
    if (!(await ctx.messenger.outboxRetry(id, slot))) throw await refusal(ctx, id, 'retried', 'failed');
    ctx.audit.record(callerOf(res).id, 'outbox_retry', { outboxId: id, slot }, req.ip ?? null);
    res.json({ success: true, outboxId: id, slot, status: 'pending' });
  });

  r.delete('/outbox/:id', async (req, res) => {
    const id = parseOrThrow(idParam, req.params.id);
    const { slot } = await entryOrThrow(ctx, id);
    if (!(await ctx.messenger.outboxDiscard(id))) throw await refusal(ctx, id, 'discarded', 'pending or failed');
    ctx.audit.record(callerOf(res).id, 'outbox_discard', { outboxId: id, slot }, req.ip ?? null);
    res.json({ success: true, outboxId: id, slot, discarded: true });
  });

  return r;
}
