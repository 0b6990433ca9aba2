// POST /api/backup (admin): a whole-bridge backup file, encrypted with the given passphrase.
// READY slots are snapshotted first, so the file holds their newest sessions.
import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow } from '../../api/schemas.js';
import { BackupError, createBackup } from '../../backup/bundle.js';
import type { BridgeContext } from '../../context.js';
import { BridgeError } from '../../domain/index.js';
import { adminOnly, callerOf } from '../auth.js';

const backupBody = z.object({ passphrase: z.string().min(8, 'passphrase must have at least 8 characters').max(1024) }).strict();

export function backupRoutes(ctx: BridgeContext): Router {
  const r = Router();
  r.post('/backup', adminOnly, async (req, res) => {
    const { passphrase } = parseOrThrow(backupBody, req.body);
    for (const slot of ctx.registry.slots) {
      if (slot.ready) await ctx.snapshots.take(slot.number, 'backup').catch(() => undefined);
    }
    const dir = path.join(ctx.config.dataDir, 'tmp');
    fs.mkdirSync(dir, { recursive: true });
    const name = `wa-bridge-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.wabackup`;
    const file = path.join(dir, name);
    try {
      await createBackup(ctx.config, file, passphrase, ctx.logger);
    } catch (err) {
      if (err instanceof BackupError) throw new BridgeError('STORE_UNAVAILABLE', err.message);
      throw err;
    }
    ctx.audit.record(callerOf(res).id, 'backup', {}, req.ip ?? null);
    res.download(file, name, { headers: { 'content-type': 'application/octet-stream' } }, () => fs.rmSync(file, { force: true }));
  });
  return r;
}
