// POST /api/backup (admin): a whole-bridge backup file, encrypted with the given passphrase.
// READY slots are snapshotted first, so the file holds their newest sessions.
// POST /api/backup/inspect (admin, multipart `file` + `passphrase`): what an uploaded backup
// holds, nothing applied; POST /api/backup/restore {"restoreId"}: apply it (bridge/backup/staged.ts).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { parseOrThrow } from '../../api/schemas.js';
import { BackupError, createBackup } from '../../backup/bundle.js';
import { RestoreFromFile, UPLOAD_PREFIX } from '../../backup/staged.js';
import type { BridgeContext } from '../../context.js';
import { BridgeError } from '../../domain/index.js';
import { adminOnly, callerOf } from '../auth.js';

const backupBody = z.object({ passphrase: z.string().min(8, 'passphrase must have at least 8 characters').max(1024) }).strict();

const restoreBody = z.object({ restoreId: z.string().regex(/^[0-9a-f]{24}$/, 'restoreId: the id /api/backup/inspect answered') }).strict();

/** The upload lands in the data dir's tmp folder (a backup may be larger than memory should hold). */
function backupUpload(ctx: BridgeContext) {
  const dir = path.join(ctx.config.dataDir, 'tmp');
  const maxMb = ctx.config.backupMaxMb;
  const upload = multer({
    storage: multer.diskStorage({
      destination: (_req, _file, done) => done(null, (fs.mkdirSync(dir, { recursive: true }), dir)),
      filename: (_req, _file, done) => done(null, `${UPLOAD_PREFIX}${randomBytes(8).toString('hex')}`),
    }),
    limits: { fileSize: maxMb * 1024 * 1024, files: 1, fields: 2, fieldSize: 4096, parts: 3 },
  }).single('file');
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next(new BridgeError('VALIDATION_ERROR', 'body: send a multipart form with the backup in "file" and the "passphrase"'));
    upload(req, res, (err?: unknown) => {
      if (!err) return next();
      const code = (err as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE') return next(new BridgeError('PAYLOAD_TOO_LARGE', `file: the backup is over ${maxMb} MiB (WA_BRIDGE_BACKUP_MAX_MB)`));
      if (typeof code === 'string' && code.startsWith('LIMIT_')) return next(new BridgeError('VALIDATION_ERROR', `body: ${(err as Error).message}; send only "file" and "passphrase"`));
      next(new BridgeError('VALIDATION_ERROR', `body: not a readable multipart form (${(err as Error).message})`));
    });
  };
}

export function backupRoutes(ctx: BridgeContext): Router {
  const r = Router();
  const restores = new RestoreFromFile(ctx.config, ctx.logger);
  r.post('/backup/inspect', adminOnly, backupUpload(ctx), async (req, res) => {
    const file = req.file?.path;
    try {
      if (!file) throw new BridgeError('VALIDATION_ERROR', 'file is required (the backup, in a form field named "file")');
      const { passphrase } = parseOrThrow(backupBody, { passphrase: (req.body as Record<string, unknown> | undefined)?.passphrase });
      const preview = await restores.open(file, passphrase);
      res.json({ success: true, ...preview });
    } catch (err) {
      if (file) fs.rmSync(file, { force: true });
      if (err instanceof BackupError) throw new BridgeError('VALIDATION_ERROR', `file: ${err.message}`);
      throw err;
    }
  });
  r.post('/backup/restore', adminOnly, async (req, res) => {
    const { restoreId } = parseOrThrow(restoreBody, req.body);
    if (!restores.has(restoreId)) throw new BridgeError('NOT_FOUND', 'no opened backup with that restoreId (open the file again; it is kept 15 minutes)');
    const applied = await restores.apply(restoreId, ctx.snapshots.store);
    ctx.audit.record(callerOf(res).id, 'restore', { restored: applied.restored }, req.ip ?? null);
    res.json({ success: true, ...applied });
  });
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
