// The auth middleware (tokens read as in access/credentials.ts). Device tokens are refused on
// admin-only routes.
import type { NextFunction, Request, Response } from 'express';
import { tokenFromHeaders } from '../access/credentials.js';
import { requireRole, type Role } from '../auth/scope.js';
import type { Caller, TokenStore } from '../auth/tokens.js';
import { BridgeError } from '../domain/index.js';
import { forwardedCaller, isForwarded } from '../cluster/cluster-key.js';
import { csrfProblem, sessionIdFromHeaders } from '../auth/session-cookie.js';
import type { SessionStore } from '../auth/sessions.js';

export function callerOf(res: Response): Caller {
  return res.locals.caller as Caller;
}

/** `cluster`: in cluster mode, requests forwarded by another node carry its caller under the cluster key. */
/** `sessions`: also accept the admin app's session cookie (bridge/auth/sessions.ts). */
export function requireAuth(tokens: TokenStore, cluster?: { key: string | undefined }, sessions?: SessionStore) {
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
    const token = tokenFromHeaders(req.headers);
    // A token in the headers wins (phones, scripts); without one, the admin app's session cookie.
    if (!token && sessions) {
      const id = sessionIdFromHeaders(req.headers);
      if (id) return void bySession(sessions, id, req, res, next);
    }
    tokens.identify(token).then(
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

function bySession(sessions: SessionStore, id: string, req: Request, res: Response, next: NextFunction): void {
  sessions.identify(id).then(
    (session) => {
      if (!session) return next(new BridgeError('UNAUTHORIZED', 'the session has ended (signed out, expired or revoked): sign in again'));
      const problem = csrfProblem(req.method, req.headers);
      if (problem) return next(new BridgeError('FORBIDDEN', problem));
      res.locals.caller = session.caller;
      res.locals.session = session;
      next();
    },
    (err: unknown) => next(new BridgeError('STORE_UNAVAILABLE', `cannot check the session (shared database): ${(err as Error)?.message ?? err}`)),
  );
}

/** FORBIDDEN unless this request's token has the role (and may use the slot). */
export function guard(res: Response, role: Role, slot?: number): void {
  requireRole(callerOf(res), role, slot);
}

export function adminOnly(_req: Request, res: Response, next: NextFunction) {
  if (callerOf(res).kind !== 'admin') return next(new BridgeError('FORBIDDEN', 'this route needs the admin token'));
  next();
}
