// Paired phones (admin token only): create (the token is shown once), list, revoke.
import { Router } from 'express';
import { deviceBody, parseOrThrow } from '../../api/schemas.js';
import type { BridgeContext } from '../../context.js';
import { BridgeError } from '../../domain/index.js';
import { callerOf } from '../auth.js';

export function deviceRoutes(ctx: BridgeContext): Router {
  const r = Router();
  r.post('/devices', async (req, res) => {
    const body = parseOrThrow(deviceBody, req.body);
    for (const n of body.slots ?? []) ctx.registry.get(n); // INVALID_SLOT
    const scope = { slots: body.slots ? [...new Set(body.slots)].sort((a, b) => a - b) : null, role: body.role ?? 'manage' } as const;
    const { deviceId, token } = await ctx.tokens.createDevice(body.name, scope);
    ctx.audit.record(callerOf(res).id, 'device_added', { deviceId, name: body.name, ...scope }, req.ip ?? null);
    ctx.logger.info({ kind: 'pairing', deviceId, device: body.name, role: scope.role }, 'phone paired');
    res.status(201).json({ success: true, deviceId, token, ...scope });
  });
  r.get('/devices', async (_req, res) => {
    res.json({ success: true, data: await ctx.tokens.listDevices() });
  });
  r.delete('/devices/:id', async (req, res) => {
    const deviceId = req.params.id;
    if (!(await ctx.tokens.revokeDevice(deviceId))) throw new BridgeError('NOT_FOUND', `no device ${deviceId}`);
    ctx.hub.closeDevice(deviceId);
    await ctx.sessions?.endForDevice(deviceId); // admin-app sessions signed in with its token end too
    await ctx.push.removeDevice(deviceId);
    ctx.audit.record(callerOf(res).id, 'device_revoked', { deviceId }, req.ip ?? null);
    ctx.logger.info({ kind: 'pairing', deviceId }, 'phone revoked');
    res.json({ success: true, deviceId });
  });
  return r;
}
