// Every failure leaves as API.md's envelope; bugs are logged with the request id, never a stack.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { asBridgeError } from '../api/errors.js';
import { BridgeError, errorBody } from '../domain/index.js';

/** Map anything thrown to a BridgeError (body-parser's errors included). */
export function toBridgeError(err: unknown, bodyLimit?: number): BridgeError {
  if (err instanceof BridgeError) return err;
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed') return new BridgeError('VALIDATION_ERROR', 'body: not valid JSON');
  if (type === 'entity.too.large') {
    return new BridgeError('PAYLOAD_TOO_LARGE', `body is over the ${bodyLimit ? Math.round(bodyLimit / 1024) + ' KiB ' : ''}limit`);
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new BridgeError('VALIDATION_ERROR', 'body: unsupported encoding');
  }
  // The router's decodeURIComponent of a path parameter (`/api/slots/%zz/qr`).
  if (err instanceof URIError) return new BridgeError('VALIDATION_ERROR', 'path: malformed % escape');
  return asBridgeError(err);
}

export function sendError(res: Response, error: BridgeError): void {
  if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(error.retryAfter));
  res.status(error.status).json(errorBody(error.code, error.code === 'INTERNAL' ? `internal error (request ${res.locals.requestId})` : error.message));
}

export function errorHandler(bodyLimit: number, logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = toBridgeError(err, bodyLimit);
    if (error.code === 'INTERNAL') logger.error({ err, requestId: res.locals.requestId, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) return;
    sendError(res, error);
  };
}

export function notFound(req: Request, _res: Response, next: NextFunction) {
  next(new BridgeError('NOT_FOUND', `no route ${req.method} ${req.path}`));
}
