// The auth middleware (tokens read as in access/credentials.ts). Device tokens are refused on
// admin-only routes.
import type { NextFunction, Request, Response } from 'express';
import { tokenFromHeaders } from '../access/credentials.js';
import type { Caller, TokenStore } from '../auth/tokens.js';
import { BridgeError } from '../domain/index.js';

export function callerOf(res: Response): Caller {
  return res.locals.caller as Caller;
}

export function requireAuth(tokens: TokenStore) {
  return (req: Request, res: Response, next: NextFunction) => {
    const caller = tokens.identify(tokenFromHeaders(req.headers));
    if (!caller) return next(new BridgeError('UNAUTHORIZED', 'missing or invalid token'));
    res.locals.caller = caller;
    if (caller.kind === 'device') tokens.touch(caller.id);
    next();
  };
}

export function adminOnly(_req: Request, res: Response, next: NextFunction) {
  if (callerOf(res).kind !== 'admin') return next(new BridgeError('FORBIDDEN', 'this route needs the admin token'));
  next();
}
