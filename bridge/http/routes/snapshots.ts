// Session snapshots of a slot (admin only): take one now, list them, restore one.
import { Router } from 'express';
import { parseOrThrow, querySlot, restoreBody } from '../../api/schemas.js';
import type { BridgeContext } from '../../context.js';
import { BridgeError } from '../../domain/index.js';
import { SnapshotError } from '../../snapshots/errors.js';
import type { SnapshotMeta } from '../../snapshots/types.js';
import { adminOnly, callerOf } from '../auth.js';

/** Snapshot failures in the API's error codes. */
export function snapshotError(err: unknown): unknown {
  if (!(err instanceof SnapshotError)) return err;
  switch (err.code) {
    case 'NOT_FOUND':
      return new BridgeError('NOT_FOUND', err.message);
    case 'NOT_READY':
      return new BridgeError('NOT_CONNECTED', err.message);
    case 'STORE_UNAVAILABLE':
      return new BridgeError('STORE_UNAVAILABLE', err.message);
    default:
      return new BridgeError('SNAPSHOT_REFUSED', err.message);
  }
}

export function snapshotRow(meta: SnapshotMeta, store: string) {
  return { id: meta.id, createdAt: meta.createdAt, bytes: meta.bytes, wid: meta.wid, reason: meta.reason, store };
}

export function snapshotRoutes(ctx: BridgeContext): Router {
  const r = Router();
  const store = () => ctx.snapshots.store.kind;

  r.post('/slots/:slot/snapshot', adminOnly, async (req, res) => {
    const slot = ctx.registry.get(parseOrThrow(querySlot, req.params.slot));
    if (!slot.ready) throw new BridgeError('NOT_CONNECTED', `slot ${slot.number} is not ready (${slot.state.toLowerCase()}); only a READY slot can be snapshotted`);
    const meta = await ctx.snapshots.take(slot.number, 'manual').catch((err: unknown) => {
      throw snapshotError(err);
    });
    ctx.audit.record(callerOf(res).id, 'snapshot', { slot: slot.number, snapshot: meta.id }, req.ip ?? null);
    res.json({ success: true, snapshot: snapshotRow(meta, store()) });
  });

  r.get('/slots/:slot/snapshots', adminOnly, async (req, res) => {
    const slot = ctx.registry.get(parseOrThrow(querySlot, req.params.slot));
    const list = await ctx.snapshots.list(slot.number).catch((err: unknown) => {
      throw snapshotError(err);
    });
    res.json({ success: true, slot: slot.number, store: store(), snapshots: list.map((m) => snapshotRow(m, store())) });
  });

  r.post('/slots/:slot/restore', adminOnly, async (req, res) => {
    const slot = ctx.registry.get(parseOrThrow(querySlot, req.params.slot));
    const opts = parseOrThrow(restoreBody, req.body ?? {});
    const wasActive = slot.active;
    // Checked first, so a snapshot that would be refused never stops a running slot.
    const chosen = await ctx.snapshots.check(slot.number, opts).catch((err: unknown) => {
      throw snapshotError(err);
    });
    // The browser must be closed while its profile is replaced; the slot comes back afterwards.
    const result = await ctx.snapshots
      .duringRestore(slot.number, async () => {
        if (wasActive) await slot.disconnect();
        try {
          return await ctx.snapshots.restore(slot.number, { ...opts, snapshotId: chosen.snapshot.id });
        } finally {
          if (wasActive) slot.connect();
        }
      })
      .catch((err: unknown) => {
        throw snapshotError(err);
      });
    ctx.audit.record(callerOf(res).id, 'restore', { slot: slot.number, snapshot: result.snapshot.id, force: opts.force === true }, req.ip ?? null);
    res.json({ success: true, slot: slot.number, snapshot: snapshotRow(result.snapshot, store()), skipped: [...chosen.skipped, ...result.skipped], restarted: wasActive });
  });

  return r;
}
