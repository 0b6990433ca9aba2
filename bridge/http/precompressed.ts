// The admin app's files as the build left them: a brotli or gzip copy when the browser takes it
// (made at build time, scripts/precompress.ts), a year's cache for content-hashed assets (their
// name changes with their content) and a revalidated one for everything else (index.html).
import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Vite's output: `assets/<name>-<hash>.<ext>`. */
const HASHED = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const YEAR = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export function cacheControlFor(urlPath: string): string {
  return HASHED.test(urlPath) ? YEAR : REVALIDATE;
}

export function precompressed(dir: string): RequestHandler {
  const root = path.resolve(dir);
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let rel: string;
    try {
      rel = decodeURIComponent(req.path);
    } catch {
      return next();
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, rel);
    if (!file.startsWith(root + path.sep)) return next();
    // The smaller brotli copy whenever it is taken at all, whatever order the header lists.
    const taken = req.acceptsEncodings();
    const encoding = taken.includes('br') ? 'br' : taken.includes('gzip') ? 'gzip' : null;
    const ext = encoding === 'br' ? '.br' : encoding === 'gzip' ? '.gz' : null;
    if (!ext || !fs.existsSync(file + ext) || !fs.existsSync(file)) return next();
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Content-Encoding', encoding!);
    res.setHeader('Cache-Control', cacheControlFor(rel === '/index.html' ? '/' : rel));
    res.type(path.extname(file));
    res.sendFile(file + ext, { cacheControl: false, lastModified: true }, (err) => err && next(err));
  };
}

/** Cache headers for files express.static serves uncompressed. */
export function staticCacheHeaders(res: Response, filePath: string, root: string): void {
  res.setHeader('Cache-Control', cacheControlFor('/' + path.relative(root, filePath).split(path.sep).join('/')));
  res.setHeader('Vary', 'Accept-Encoding');
}
