// Sending media by upload: `multipart/form-data` with the file in `file` and the other fields
// as form fields, so a phone does not inflate a video by a third as base64. The result is the
// same body the JSON route takes, checked by the same schema.
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { BridgeError } from '../domain/index.js';
import { MEDIA_LIMITS } from '../slots/media.js';

const MAX_UPLOAD = Math.max(...Object.values(MEDIA_LIMITS));

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_UPLOAD, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 22 },
}).single('file');

/** Form fields are text: read "true"/"false" as booleans (anything else is left for the schema to name). */
function formValue(key: string, value: unknown): unknown {
  if ((key === 'asVoice' || key === 'asSticker' || key === 'queue') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function uploadError(err: unknown): BridgeError {
  const code = (err as { code?: string }).code;
  if (code === 'LIMIT_FILE_SIZE') return new BridgeError('PAYLOAD_TOO_LARGE', `file: over ${MAX_UPLOAD / 1024 / 1024} MiB, more than WhatsApp takes`);
  if (code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT') return new BridgeError('VALIDATION_ERROR', 'file: send one file, in the field named "file"');
  if (typeof code === 'string' && code.startsWith('LIMIT_')) return new BridgeError('VALIDATION_ERROR', `body: ${(err as Error).message}`);
  return new BridgeError('VALIDATION_ERROR', `body: not a readable multipart form (${(err as Error).message})`);
}

/** Set once a request's form has been read (the cluster's forwarding reads it before the send route). */
const FORM_READ = Symbol('multipart form read');
type FormRequest = Request & { [FORM_READ]?: true };

/**
 * Read a multipart form as it came: the file in `req.file`, the text fields in `req.body`.
 * Idempotent: a request already read passes straight on (its stream is spent).
 */
export function readMultipart(req: Request, res: Response, next: NextFunction): void {
  if ((req as FormRequest)[FORM_READ]) return next();
  upload(req, res, (err?: unknown) => {
    if (err) return next(uploadError(err));
    (req as FormRequest)[FORM_READ] = true;
    next();
  });
}

/** For multipart requests: read the form into `req.body` as the JSON route's shape; others pass through. */
export function multipartMedia(req: Request, res: Response, next: NextFunction): void {
  if (!req.is('multipart/form-data')) return next();
  readMultipart(req, res, (err?: unknown) => {
    if (err) return next(err);
    if (!req.file) return next(new BridgeError('VALIDATION_ERROR', 'file is required (the media, in a form field named "file")'));
    const fields = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, formValue(k, v)]));
    req.body = {
      ...fields,
      base64: req.file.buffer.toString('base64'),
      mimetype: fields.mimetype ?? req.file.mimetype,
      filename: fields.filename ?? (req.file.originalname || undefined),
    };
    next();
  });
}

/** The form read by readMultipart, written again (for a node that must send it on): body and its content-type. */
export async function encodeForm(req: Request): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
    for (const one of Array.isArray(v) ? v : [v]) form.append(k, String(one));
  }
  if (req.file) form.append('file', new Blob([req.file.buffer], { type: req.file.mimetype }), req.file.originalname || 'file');
  const encoded = new globalThis.Response(form);
  return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}
