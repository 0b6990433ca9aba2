// GET /api/slots/:slot/messages/:messageId/media[?thumb=1]: a message's media bytes from the
// media store, fetched from WhatsApp on demand when the store does not have them (yet).
import { Router, type Response } from 'express';
import type { BridgeContext } from '../../context.js';
import { guard } from '../auth.js';
import { BridgeError, type MediaRecord } from '../../domain/index.js';
import { sendStoredFile } from '../../media/serve.js';
import { MediaNotConnectedError, type MediaHints } from '../../media/service.js';
import { THUMB_MIME, Thumbnails } from '../../media/thumbs.js';

/** How long a request waits for a download in progress before answering 202. */
export const MEDIA_WAIT_MS = 2000;
const RETRY_AFTER_S = 2;
const SLOT_PARAM = /^\d{1,4}$/;

type Outcome = { record: MediaRecord } | { pending: true };

async function awaitBriefly(job: Promise<MediaRecord | null>, ms: number): Promise<MediaRecord | null | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([job, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function mediaRoutes(ctx: BridgeContext, opts: { waitMs?: number } = {}): Router {
  const r = Router();
  const waitMs = opts.waitMs ?? MEDIA_WAIT_MS;

  /** A stored record whose file is on disk, fetching (or joining a fetch) when needed. */
  async function resolve(slot: number, messageId: string): Promise<Outcome> {
    const record = await ctx.media.lookup(slot, messageId);
    if (record?.status === 'stored' && ctx.media.store.has(record.sha256)) return { record };
    if (record?.status === 'expired') throw new BridgeError('MEDIA_EXPIRED', 'WhatsApp no longer has this file, and the bridge did not keep it');
    let hints: MediaHints = record ?? {};
    if (!record && !ctx.media.isFetching(slot, messageId)) {
      const row = await ctx.archive.getMessage(slot, messageId);
      if (!row) throw new BridgeError('MEDIA_NOT_FOUND', `no message ${messageId} on slot ${slot}`);
      if (!row.hasMedia) throw new BridgeError('MEDIA_NOT_FOUND', `message ${messageId} has no media`);
      hints = { chatId: row.chatId, mimetype: row.mimetype, filename: row.filename };
    }
    let result;
    try {
      result = await awaitBriefly(ctx.media.fetch(slot, messageId, hints), waitMs);
    } catch (err) {
      if (err instanceof MediaNotConnectedError) throw new BridgeError('NOT_CONNECTED', `slot ${slot} must be connected to fetch this file from WhatsApp`);
      throw new BridgeError('MEDIA_UNAVAILABLE', `WhatsApp did not hand over the file: ${(err as Error).message}`, { cause: err });
    }
    if (result === 'pending') return { pending: true };
    if (!result) throw new BridgeError('MEDIA_EXPIRED', 'WhatsApp no longer has this file, and the bridge did not keep it');
    return { record: result };
  }

  async function serve(res: Response, record: MediaRecord, thumb: boolean): Promise<void> {
    const sha = record.sha256!;
    const source = ctx.media.store.filePath(sha);
    const mimetype = record.mimetype ?? 'application/octet-stream';
    if (!thumb) return sendStoredFile(res, { path: source, mimetype, filename: record.filename, etag: sha });
    if (!Thumbnails.canThumb(mimetype) && !ctx.media.thumbs.has(sha)) throw new BridgeError('MEDIA_NOT_FOUND', `no thumbnail for ${mimetype}`);
    let file: string;
    try {
      file = await ctx.media.thumbs.get(sha, source);
    } catch (err) {
      throw new BridgeError('MEDIA_NOT_FOUND', 'this image cannot be read to make a thumbnail', { cause: err });
    }
    return sendStoredFile(res, { path: file, mimetype: THUMB_MIME, filename: 'thumbnail.webp', etag: `${sha}-thumb` });
  }

  r.get('/slots/:slot/messages/:messageId/media', async (req, res) => {
    const slotText = String(req.params.slot);
    if (!SLOT_PARAM.test(slotText)) throw new BridgeError('INVALID_SLOT', 'slot must be a whole number');
    const slot = ctx.registry.get(Number(slotText)).number;
    guard(res, 'read', slot);
    const messageId = String(req.params.messageId);
    if (!messageId || messageId.length > 255) throw new BridgeError('VALIDATION_ERROR', 'messageId: must be 1 to 255 characters');
    const thumb = req.query.thumb === '1' || req.query.thumb === 'true';
    for (let attempt = 1; ; attempt++) {
      const outcome = await resolve(slot, messageId);
      if ('pending' in outcome) {
        res.setHeader('Retry-After', String(RETRY_AFTER_S));
        res.status(202).json({ success: true, status: 'pending', retryAfter: RETRY_AFTER_S });
        return;
      }
      try {
        return await serve(res, outcome.record, thumb);
      } catch (err) {
        if (res.headersSent) return; // the client went away mid-stream
        if ((err as { status?: number }).status === 416) {
          res.setHeader('Content-Range', `bytes */${outcome.record.size ?? '*'}`);
          throw new BridgeError('RANGE_NOT_SATISFIABLE', `range is outside the file's ${outcome.record.size} bytes`);
        }
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 1) throw err;
        // Deleted behind our back: forget it and fetch it again from WhatsApp.
        ctx.media.store.forget(outcome.record.sha256!);
      }
    }
  });
  return r;
}
