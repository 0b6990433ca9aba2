// The JSON body parser, with its read errors made clear: a body that does not match its
// Content-Encoding (a plain body labelled gzip/deflate/br) is a 400, not a 500.
import express, { type NextFunction, type Request, type Response } from 'express';
import { BridgeError } from '../domain/index.js';
import { toBridgeError } from './errors.js';

/** body-parser's own error types, which toBridgeError already names. */
const KNOWN_TYPES = new Set(['entity.parse.failed', 'entity.too.large', 'encoding.unsupported', 'charset.unsupported']);

export function bodyReadError(err: unknown, req: Request, bodyLimit: number): BridgeError {
  const e = err as { type?: string; status?: number } | null;
  if (e?.type && KNOWN_TYPES.has(e.type)) return toBridgeError(err, bodyLimit);
  if (e?.type === 'request.aborted') return new BridgeError('VALIDATION_ERROR', 'body: the request was aborted');
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') {
    return new BridgeError('VALIDATION_ERROR', `body: does not match its Content-Encoding "${encoding}" (send it compressed or drop the header)`);
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new BridgeError('VALIDATION_ERROR', 'body: could not be read');
  return toBridgeError(err, bodyLimit);
}

export function jsonBody(bodyLimit: number) {
  const parse = express.json({ limit: bodyLimit, strict: false });
  return (req: Request, res: Response, next: NextFunction) => {
    parse(req, res, (err?: unknown) => (err ? next(bodyReadError(err, req, bodyLimit)) : next()));
  };
}
