// Admin-app sign-in (bridge/auth/sessions.ts): the token is exchanged for an HttpOnly,
// SameSite=Strict cookie, so no script on the page ever holds it. Mounted before the auth
// middleware: signing in is how a browser gets its credential.
import { Router, type Request, type Response } from 'express';
import type { BridgeContext } from '../../context.js';
import { BridgeError } from '../../domain/index.js';
import { csrfProblem, SESSION_COOKIE, sameOrigin, sessionIdFromHeaders } from '../../auth/session-cookie.js';
import type { Session, SessionStore } from '../../auth/sessions.js';
import { jsonBody } from '../body.js';

function cookieOptions(req: Request) {
  // Secure whenever the page came over HTTPS; plain http://localhost would drop a Secure cookie.
  return { httpOnly: true, sameSite: 'strict' as const, secure: req.secure, path: '/' };
}

function describe(session: Session) {
  const { caller } = session;
  return { signedIn: true, kind: caller.kind, ...(caller.kind === 'device' ? { deviceId: caller.id } : {}), expiresAt: session.expiresAt };
}

function tokenOf(body: unknown): string {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BridgeError('VALIDATION_ERROR', 'body must be JSON: {"token":"<admin or device token>"}');
  }
  const token = (body as { token?: unknown }).token;
  if (token === undefined) throw new BridgeError('VALIDATION_ERROR', 'token is required');
  if (typeof token !== 'string' || token.trim() === '') throw new BridgeError('VALIDATION_ERROR', 'token must be a non-empty text');
  if (token.length > 512) throw new BridgeError('VALIDATION_ERROR', 'token is too long (at most 512 characters)');
  return token.trim();
}

async function current(sessions: SessionStore, req: Request): Promise<Session | null> {
  return sessions.identify(sessionIdFromHeaders(req.headers));
}

export function sessionRoutes(ctx: BridgeContext, sessions: SessionStore): Router {
  const r = Router();
  r.post('/session', jsonBody(ctx.config.bodyLimitBytes), async (req: Request, res: Response) => {
    if (!sameOrigin(req.headers)) throw new BridgeError('FORBIDDEN', 'this request comes from another site (Origin does not match the bridge)');
    const token = tokenOf(req.body);
    const session = await sessions.create(token);
    if (!session) throw new BridgeError('UNAUTHORIZED', 'that token is not valid (wrong, or its device was revoked)');
    ctx.audit.record(session.caller.id, 'signed_in', { kind: session.caller.kind }, req.ip ?? null);
    ctx.logger.info({ who: session.caller.id }, 'admin app signed in');
    res.cookie(SESSION_COOKIE, session.id, { ...cookieOptions(req), expires: new Date(session.expiresAt) });
    res.json({ success: true, ...describe(session) });
  });
  r.get('/session', async (req: Request, res: Response) => {
    const session = await current(sessions, req);
    res.json({ success: true, ...(session ? describe(session) : { signedIn: false }) });
  });
  r.delete('/session', async (req: Request, res: Response) => {
    const session = await current(sessions, req);
    if (session) {
      const problem = csrfProblem(req.method, req.headers);
      if (problem) throw new BridgeError('FORBIDDEN', problem);
      await sessions.end(session.idHash);
      ctx.hub.closeSession?.(session.idHash);
      ctx.audit.record(session.caller.id, 'signed_out', { kind: session.caller.kind }, req.ip ?? null);
    }
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.json({ success: true, signedIn: false });
  });
  return r;
}
