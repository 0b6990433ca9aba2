// Health (per slot and overall) and Prometheus metrics.
import { restorePending } from '../../backup/staged.js';
import { Router } from 'express';
import type { BridgeContext } from '../../context.js';
import type { Slot } from '../../slots/slot.js';
import { withTimeout } from '../../domain/async.js';

const OUTBOX_COUNT_MS = 2000;

const GATEWAY: Record<string, string> = {
  READY: 'connected',
  QR: 'waiting_for_qr',
  AUTHENTICATED: 'connecting',
  STARTING: 'connecting',
  RECONNECTING: 'reconnecting',
  FAILED: 'failed',
  STOPPED: 'disconnected',
};

function slotHealth(ctx: BridgeContext, slot: Slot) {
  const proc = slot.processInfo();
  return {
    slot: slot.number,
    state: slot.state,
    gatewayStatus: GATEWAY[slot.state],
    pid: proc.pid,
    rssBytes: proc.rssBytes,
    pssBytes: proc.pssBytes ?? null,
    memoryMeasure: proc.memoryMeasure ?? null,
    restarts: slot.restarts,
    lastError: slot.lastError,
    since: Math.floor(slot.since / 1000),
    phone: slot.phone,
    snapshot: ctx.snapshots.health(slot.number),
  };
}

export function overallStatus(ctx: BridgeContext): 'ok' | 'degraded' | 'down' {
  const wanted = ctx.registry.slots.filter((s) => s.state !== 'STOPPED');
  const bad = wanted.filter((s) => s.state === 'FAILED' || s.state === 'RECONNECTING');
  if (!ctx.archive.health().ok) return 'degraded';
  if (wanted.length > 0 && bad.length === wanted.length) return 'down';
  return bad.length > 0 ? 'degraded' : 'ok';
}

/** Things the owner should act on, shown by the admin app. */
function warnings(ctx: BridgeContext): string[] {
  const list: string[] = [];
  if (ctx.tls?.lanHttp) list.push('lan_http: plain HTTP is served to the LAN (legacy setting); messages and tokens cross the Wi-Fi unencrypted until it is turned off');
  return list;
}

export function healthRoutes(ctx: BridgeContext): Router {
  const r = Router();
  r.get('/health', async (_req, res) => {
    // Cluster mode counts in the shared database: an unreachable one shows null, not an error.
    const outbox = await outboxSize(ctx);
    res.json({
      status: overallStatus(ctx),
      engine: ctx.config.engine,
      slots: ctx.registry.slots.map((slot) => slotHealth(ctx, slot)),
      snapshots: { store: ctx.snapshots.store.kind, ok: ctx.snapshots.storeError === null, error: ctx.snapshots.storeError },
      restorePending: restorePending(ctx.config.dataDir),
      archive: ctx.archive.health(),
      push: ctx.push.status,
      outbox,
      websocketClients: ctx.hub.clientCount(),
      uptimeSeconds: Math.floor((Date.now() - ctx.startedAt) / 1000),
      tls: ctx.tls ?? null,
      warnings: warnings(ctx),
      ...(ctx.cluster ? { node: ctx.cluster.node.info() } : {}),
    });
  });
  // Phones keep their pins current: the next fingerprint appears here ahead of a renewal.
  r.get('/tls', (_req, res) => {
    const { fingerprint, nextFingerprint, notAfter } = ctx.tls ?? { fingerprint: null, nextFingerprint: null, notAfter: null };
    res.json({ success: true, fingerprint, nextFingerprint, notAfter });
  });
  return r;
}

export function metricsRoute(ctx: BridgeContext): Router {
  const r = Router();
  r.get('/metrics', async (_req, res) => {
    for (const slot of ctx.registry.slots) {
      for (const state of Object.keys(GATEWAY)) ctx.metrics.slotState.set({ slot: String(slot.number), state }, slot.state === state ? 1 : 0);
    }
    for (const slot of ctx.registry.slots) {
      const newest = ctx.snapshots.health(slot.number).newest;
      if (newest) {
        ctx.metrics.snapshotAge.set({ slot: String(slot.number) }, newest.ageSeconds);
        ctx.metrics.snapshotBytes.set({ slot: String(slot.number) }, newest.bytes);
      }
    }
    for (const slot of ctx.registry.slots) {
      ctx.metrics.sessionSeconds.set({ slot: String(slot.number) }, slot.ready ? (Date.now() - slot.since) / 1000 : 0);
    }
    ctx.metrics.wsClients.set(ctx.hub.clientCount());
    const outbox = await outboxSize(ctx);
    if (outbox !== null) ctx.metrics.outboxSize.set(outbox);
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  return r;
}

/**
 * Messages waiting, or null when the outbox cannot say within a moment: in cluster mode it is
 * counted in the shared database, whose pool may wait for a connection far longer than health may.
 */
async function outboxSize(ctx: BridgeContext): Promise<number | null> {
  return withTimeout(ctx.messenger.outboxSize(), OUTBOX_COUNT_MS, 'outbox count').catch(() => null);
}
