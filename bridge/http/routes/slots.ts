// Slot control: connect, disconnect, the registry and the QR of a slot.
import { Router } from 'express';
import * as commands from '../../api/commands.js';
import { disconnectBody, parseOrThrow, querySlot, slotBody } from '../../api/schemas.js';
import type { BridgeContext } from '../../context.js';
import { BridgeError } from '../../domain/index.js';
import type { Slot } from '../../slots/slot.js';
import { mayUseSlot } from '../../auth/scope.js';
import { callerOf, guard } from '../auth.js';

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
    guard(res, 'manage', n);
    commands.connectSlot(ctx, n, { id: callerOf(res).id, ip: req.ip ?? null });
    res.json({ success: true, message: `Slot ${n} initialization triggered.` });
  });

  r.post('/disconnect', async (req, res) => {
    const { slot: n, logout } = parseOrThrow(disconnectBody, req.body);
    guard(res, 'manage', n);
    await commands.disconnectSlot(ctx, n, logout === true, { id: callerOf(res).id, ip: req.ip ?? null });
    res.json({ success: true, message: `Slot ${n} disconnected and destroyed.` });
  });

  r.get('/slots', (_req, res) => {
    const caller = callerOf(res);
    res.json(ctx.registry.slots.filter((s) => mayUseSlot(caller, s.number)).map(slotSummary));
  });

  r.get('/slots/:slot/qr', (req, res) => {
    const slot = ctx.registry.get(parseOrThrow(querySlot, req.params.slot));
    guard(res, 'manage', slot.number);
    const qr = commands.currentQr(ctx, slot.number);
    if (!qr) throw new BridgeError('NOT_FOUND', `slot ${slot.number} has no QR to scan (${slot.state.toLowerCase()})`);
    res.json({ success: true, slot: slot.number, connected: false, qrCode: qr.png, qrCodeSvg: qr.svg, expiresAt: qr.expiresAt });
  });

  return r;
}
