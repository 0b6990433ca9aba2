// Slot control: connect, disconnect, the registry and the QR of a slot.
import { Router } from 'express';
import { disconnectBody, parseOrThrow, querySlot, slotBody } from '../../api/schemas.js';
import type { BridgeContext } from '../../context.js';
import { BridgeError } from '../../domain/index.js';
import type { Slot } from '../../slots/slot.js';
import { callerOf } from '../auth.js';

export function slotSummary(slot: Slot) {
  return {
    slot: slot.number,
    active: slot.active,
    ready: slot.ready,
    hasQrCache: slot.qr !== null && slot.state === 'QR',
    state: slot.state,
    phone: slot.phone,
    name: slot.name,
    since: Math.floor(slot.since / 1000),
    lastError: slot.lastError,
  };
}

export function slotRoutes(ctx: BridgeContext): Router {
  const r = Router();

  r.post('/connect', (req, res) => {
    const { slot: n } = parseOrThrow(slotBody, req.body);
    const slot = ctx.registry.get(n);
    slot.connect();
    ctx.audit.record(callerOf(res).id, 'connect', { slot: n }, req.ip ?? null);
    res.json({ success: true, message: `Slot ${n} initialization triggered.` });
  });

  r.post('/disconnect', async (req, res) => {
    const { slot: n, logout } = parseOrThrow(disconnectBody, req.body);
    const slot = ctx.registry.get(n);
    await slot.disconnect(logout === true);
    ctx.audit.record(callerOf(res).id, logout ? 'logout' : 'disconnect', { slot: n }, req.ip ?? null);
    res.json({ success: true, message: `Slot ${n} disconnected and destroyed.` });
  });

  r.get('/slots', (_req, res) => {
    res.json(ctx.registry.slots.map(slotSummary));
  });

  r.get('/slots/:slot/qr', (req, res) => {
    const slot = ctx.registry.get(parseOrThrow(querySlot, req.params.slot));
    const qr = slot.qr;
    const nowSec = Date.now() / 1000;
    if (slot.qrExpired || (qr && qr.expiresAt < nowSec && slot.state !== 'QR')) {
      throw new BridgeError('QR_EXPIRED', `the QR of slot ${slot.number} expired; connect again for a new one`);
    }
    if (!qr || slot.state !== 'QR') throw new BridgeError('NOT_FOUND', `slot ${slot.number} has no QR to scan (${slot.state.toLowerCase()})`);
    res.json({ success: true, slot: slot.number, connected: false, qrCode: qr.png, qrCodeSvg: qr.svg, expiresAt: qr.expiresAt });
  });

  return r;
}
