// Sending a stored file over HTTP: Content-Type, a strong ETag (the sha256), a safely encoded
// Content-Disposition, and Range / conditional requests (express's sendFile streams from disk,
// so memory does not grow with the file).
import { create as contentDisposition } from 'content-disposition';
import type { Response } from 'express';

export interface ServedFile {
  path: string;
  mimetype: string;
  /** Shown to the user when saving; null gives a generic name. */
  filename: string | null;
  /** A value that changes whenever the bytes do. */
  etag: string;
}

/** Images, audio and video open in place; anything else downloads. */
export function dispositionType(mimetype: string): 'inline' | 'attachment' {
  return /^(image|audio|video)\//.test(mimetype) ? 'inline' : 'attachment';
}

/** A filename without path parts or control characters, else a generic one from the type. */
export function safeFilename(filename: string | null, mimetype: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (filename ?? '').split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  if (base && base !== '.' && base !== '..') return base.slice(0, 200);
  const subtype = mimetype.split('/')[1]?.split(/[;+]/)[0]?.replace(/[^a-z0-9]/gi, '') || 'bin';
  return `whatsapp-media.${subtype === 'jpeg' ? 'jpg' : subtype === 'mpeg' ? 'mp3' : subtype}`;
}

export function sendStoredFile(res: Response, file: ServedFile): Promise<void> {
  res.setHeader('Content-Type', file.mimetype);
  res.setHeader('ETag', `"${file.etag}"`);
  // The bytes behind a message never change; only the owner's devices may keep them.
  res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
  res.setHeader('Content-Disposition', contentDisposition(safeFilename(file.filename, file.mimetype), { type: dispositionType(file.mimetype) }));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  return new Promise((resolve, reject) => {
    res.sendFile(file.path, { etag: false, lastModified: false, cacheControl: false, dotfiles: 'allow' }, (err) => (err ? reject(err) : resolve()));
  });
}
