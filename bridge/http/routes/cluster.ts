// Cluster mode's routes: the whole cluster's health (any token), the planned move of a slot
// to another node and draining a node (admin). Without cluster mode both answer NOT_FOUND saying so.
import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow, querySlot } from '../../api/schemas.js';
import type { BridgeContext } from '../../context.js';
import { BridgeError } from '../../domain/index.js';
import { adminOnly, callerOf } from '../auth.js';

const moveBody = z.object({ node: z.string({ error: 'node is required (a node id from GET /api/cluster/health)' }).min(1).max(64) }).strict();

const drainBody = z.object({ draining: z.boolean({ error: 'draining is required: true to drain the node, false to return it to placement' }) }).strict();

function clusterOf(ctx: BridgeContext) {
  if (!ctx.cluster) throw new BridgeError('NOT_FOUND', 'cluster mode is off on this bridge (WA_BRIDGE_CLUSTER)');
  return ctx.cluster;
}

function unreachable(err: unknown): never {
  if (err instanceof BridgeError) throw err;
  throw new BridgeError('STORE_UNAVAILABLE', `the cluster database did not answer: ${err instanceof Error ? err.message : String(err)}`);
}

export function clusterRoutes(ctx: BridgeContext): Router {
  const r = Router();

  r.get('/cluster/health', async (_req, res) => {
    const cluster = clusterOf(ctx);
    res.json(await cluster.health().catch(unreachable));
  });

  r.post('/cluster/slots/:slot/move', adminOnly, async (req, res) => {
    const cluster = clusterOf(ctx);
    const slot = ctx.registry.get(parseOrThrow(querySlot, req.params.slot)).number;
    const { node: target } = parseOrThrow(moveBody, req.body);
    const node = cluster.node;
    const [nodes, lease] = await Promise.all([node.nodes.list(), node.leases.get(slot)]).catch(unreachable);
    const found = nodes.find((n) => n.id === target);
    if (!found) throw new BridgeError('NOT_FOUND', `no node ${JSON.stringify(target)} in the cluster`);
    if (found.silentMs > 3 * ctx.config.leaseRenewMs) throw new BridgeError('NOT_CONNECTED', `node ${target} is not answering (no heartbeat for ${Math.round(found.silentMs / 1000)} s)`);
    if (found.draining) throw new BridgeError('NOT_CONNECTED', `node ${target} is draining: it takes no slots until it is undrained`);
    const from = lease && !lease.free ? lease.owner : null;
    if (from === target) return void res.json({ success: true, slot, from, to: target, moving: false, message: `slot ${slot} already runs on ${target}` });
    await node.leases.requestMove(slot, target).catch(unreachable);
    // This node may be the owner or the target: act now rather than at the next poll.
    node.nudge();
    ctx.audit.record(callerOf(res).id, 'cluster_move', { slot, from, to: target }, req.ip ?? null);
    res.status(202).json({ success: true, slot, from, to: target, moving: true, message: `slot ${slot} moves to ${target}: snapshot, release, take over` });
  });

  r.post('/cluster/nodes/:node/drain', adminOnly, async (req, res) => {
    const cluster = clusterOf(ctx);
    const { draining } = parseOrThrow(drainBody, req.body);
    const id = String(req.params.node);
    if (!(await cluster.node.nodes.setDraining(id, draining).catch(unreachable))) throw new BridgeError('NOT_FOUND', `no node ${JSON.stringify(id)} in the cluster`);
    cluster.node.nudge();
    ctx.audit.record(callerOf(res).id, draining ? 'cluster_drain' : 'cluster_undrain', { node: id }, req.ip ?? null);
    res.json({
      success: true,
      node: id,
      draining,
      message: draining ? `node ${id} hands its slots to other nodes (one by one) and takes no new ones` : `node ${id} takes slots again`,
    });
  });

  return r;
}
