// The auth middleware (tokens read as in access/credentials.ts). Device tokens are refused on
// admin-only routes.
import type { NextFunction, Request, Response } from 'express';
import { tokenFromHeaders } from '../access/credentials.js';
import { requireRole, type Role } from '../auth/scope.js';
import type { Caller, TokenStore } from '../auth/tokens.js';
import { BridgeError } from '../domain/index.js';
import { forwardedCaller, isForwarded } from '../cluster/cluster-key.js';

export function callerOf(res: Response): Caller {
  return res.locals.caller as Caller;
}

/** `cluster`: in cluster mode, requests forwarded by another node carry its caller under the cluster key. */
export function requireAuth(tokens: TokenStore, cluster?: { key: string | undefined }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (cluster && isForwarded(req.headers)) {
      try {
        res.locals.caller = forwardedCaller(req.headers, cluster.key);
        res.locals.forwarded = true;
        return next();
      } catch (err) {
        return next(err);
      }
    }
    tokens.identify(tokenFromHeaders(req.headers)).then(
      (caller) => {
        if (!caller) return next(new BridgeError('UNAUTHORIZED', 'missing or invalid token'));
        res.locals.caller = caller;
        // Last-seen is bookkeeping: a failed write must not fail the request.
        if (caller.kind === 'device') tokens.touch(caller.id).catch(() => undefined);
        next();
      },
      (err: unknown) => next(new BridgeError('STORE_UNAVAILABLE', `cannot check the token (shared database): ${(err as Error)?.message ?? err}`)),
    );
  };
}

/** FORBIDDEN unless this request's token has the role (and may use the slot). */
export function guard(res: Response, role: Role, slot?: number): void {
  requireRole(callerOf(res), role, slot);
}

export function adminOnly(_req: Request, res: Response, next: NextFunction) {
  if (callerOf(res).kind !== 'admin') return next(new BridgeError('FORBIDDEN', 'this route needs the admin token'));
  next();
}
