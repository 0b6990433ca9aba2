// The auth middleware on its own: who the caller is, when the device was last seen, admin-only routes.
import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import type { Caller, TokenStore } from '../auth/tokens.js';
import type { SessionStore } from '../auth/sessions.js';
import { BridgeError } from '../domain/index.js';
import { CALLER_HEADER, CLUSTER_KEY_HEADER, encodeCaller } from '../cluster/cluster-key.js';
import { adminOnly, callerOf, requireAuth } from './auth.js';

/** Run the middleware until it calls next (the token check is asynchronous: the store may be MySQL). */
async function call(mw: (req: Request, res: Response, next: NextFunction) => void, headers: Record<string, string>, locals: Record<string, unknown> = {}) {
  const res = { locals } as unknown as Response;
  const next = vi.fn();
  mw({ headers } as Request, res, next);
  await vi.waitFor(() => expect(next).toHaveBeenCalled());
  return { res, next, err: next.mock.calls[0]?.[0] as BridgeError | undefined };
}

function tokens(known: Record<string, Caller>) {
  return {
    identify: vi.fn(async (t: string | undefined) => (t ? known[t] ?? null : null)),
    touch: vi.fn(async () => undefined),
  } as unknown as TokenStore & { touch: ReturnType<typeof vi.fn> };
}

describe('requireAuth', () => {
  it('puts the caller in res.locals and touches a device', async () => {
    const store = tokens({ dev: { kind: 'device', id: 'd1', scope: { slots: null, role: 'manage' } }, adm: { kind: 'admin', id: 'admin' } });
    const device = await call(requireAuth(store), { authorization: 'Bearer dev' });
    expect(device.err).toBeUndefined();
    expect(device.next).toHaveBeenCalledWith();
    expect(callerOf(device.res)).toEqual({ kind: 'device', id: 'd1', scope: { slots: null, role: 'manage' } });
    expect(store.touch).toHaveBeenCalledWith('d1');
    const admin = await call(requireAuth(store), { apikey: 'adm' });
    expect(callerOf(admin.res)).toEqual({ kind: 'admin', id: 'admin' });
    expect(store.touch).toHaveBeenCalledTimes(1);
  });

  it('refuses a missing or unknown token with UNAUTHORIZED', async () => {
    const store = tokens({});
    for (const headers of [{}, { apikey: "nope" }] as Record<string, string>[]) {
      const { err, res } = await call(requireAuth(store), headers);
      expect(err).toBeInstanceOf(BridgeError);
      expect(err).toMatchObject({ code: 'UNAUTHORIZED', message: 'missing or invalid token' });
      expect(res.locals.caller).toBeUndefined();
    }
  });

  it('a token store that cannot answer (shared database away) is a 503 naming why, not a 401', async () => {
    const store = { identify: vi.fn(async () => { throw new Error('connect ECONNREFUSED'); }), touch: vi.fn() } as unknown as TokenStore;
    const { err, res } = await call(requireAuth(store), { apikey: 'dev' });
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', message: 'cannot check the token (shared database): connect ECONNREFUSED' });
    expect(res.locals.caller).toBeUndefined();
  });

  it('in cluster mode a forwarded request carries its caller under the cluster key; tokens are not consulted', async () => {
    const store = tokens({});
    const caller: Caller = { kind: 'device', id: 'd9', scope: { slots: [2], role: 'send' } };
    const forwarded = { [CLUSTER_KEY_HEADER]: 'the-cluster-key-123', [CALLER_HEADER]: encodeCaller(caller) };
    const ok = await call(requireAuth(store, { key: 'the-cluster-key-123' }), forwarded);
    expect(ok.err).toBeUndefined();
    expect([callerOf(ok.res), ok.res.locals.forwarded]).toEqual([caller, true]);
    expect(store.identify).not.toHaveBeenCalled();
    const wrong = await call(requireAuth(store, { key: 'another-cluster-key' }), forwarded);
    expect(wrong.err).toMatchObject({ code: 'FORBIDDEN' });
    expect(wrong.res.locals.caller).toBeUndefined();
  });

  it('outside cluster mode the forwarding headers count for nothing: the token decides', async () => {
    const store = tokens({ dev: { kind: 'device', id: 'd1', scope: { slots: null, role: 'read' } } });
    const forged = { [CLUSTER_KEY_HEADER]: 'x', [CALLER_HEADER]: encodeCaller({ kind: 'admin', id: 'admin' }) };
    const { err } = await call(requireAuth(store), forged);
    expect(err).toMatchObject({ code: 'UNAUTHORIZED' });
    const withToken = await call(requireAuth(store), { ...forged, apikey: 'dev' });
    expect(callerOf(withToken.res)).toEqual({ kind: 'device', id: 'd1', scope: { slots: null, role: 'read' } });
    expect(withToken.res.locals.forwarded).toBeUndefined();
  });
});

describe('adminOnly', () => {
  it('lets the admin through and refuses devices with FORBIDDEN', async () => {
    expect((await call(adminOnly, {}, { caller: { kind: 'admin', id: 'admin' } })).next).toHaveBeenCalledWith();
    const { err } = await call(adminOnly, {}, { caller: { kind: 'device', id: 'd1', scope: { slots: null, role: 'manage' } } });
    expect(err).toMatchObject({ code: 'FORBIDDEN', message: 'this route needs the admin token' });
  });
});

describe('requireAuth with the session cookie', () => {
  const ID = 'S'.repeat(43);
  const admin: Caller = { kind: 'admin', id: 'admin' };
  function sessions(known: Record<string, Caller>, fail = false) {
    return {
      identify: vi.fn(async (id: string | undefined) => {
        if (fail) throw new Error('connect ECONNREFUSED');
        return id && known[id] ? { idHash: `hash-of-${id}`, caller: known[id], expiresAt: 1 } : null;
      }),
    } as unknown as SessionStore & { identify: ReturnType<typeof vi.fn> };
  }
  async function callAs(mw: ReturnType<typeof requireAuth>, method: string, headers: Record<string, string>) {
    const res = { locals: {} } as unknown as Response;
    const next = vi.fn();
    mw({ method, headers } as Request, res, next);
    await vi.waitFor(() => expect(next).toHaveBeenCalled());
    return { res, err: next.mock.calls[0]?.[0] as BridgeError | undefined };
  }

  it('signs a read in by the cookie alone and keeps the session for sign-out', async () => {
    const s = sessions({ [ID]: admin });
    const { res, err } = await callAs(requireAuth(tokens({}), undefined, s), 'GET', { cookie: `wab_session=${ID}`, host: 'h:1' });
    expect(err).toBeUndefined();
    expect(callerOf(res)).toEqual(admin);
    expect(res.locals.session).toMatchObject({ idHash: `hash-of-${ID}` });
  });

  it('a change by cookie needs the CSRF header; another Origin is refused even for reads', async () => {
    const mw = requireAuth(tokens({}), undefined, sessions({ [ID]: admin }));
    const bare = await callAs(mw, 'POST', { cookie: `wab_session=${ID}`, host: 'h:1' });
    expect(bare.err).toMatchObject({ code: 'FORBIDDEN' });
    expect(bare.res.locals.caller).toBeUndefined();
    expect((await callAs(mw, 'POST', { cookie: `wab_session=${ID}`, host: 'h:1', 'x-wab-csrf': '1' })).err).toBeUndefined();
    expect((await callAs(mw, 'GET', { cookie: `wab_session=${ID}`, host: 'h:1', origin: 'https://evil.example' })).err).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('an ended session is UNAUTHORIZED with a reason; a store that cannot answer is STORE_UNAVAILABLE', async () => {
    const ended = await callAs(requireAuth(tokens({}), undefined, sessions({})), 'GET', { cookie: `wab_session=${ID}` });
    expect(ended.err).toMatchObject({ code: 'UNAUTHORIZED', message: 'the session has ended (signed out, expired or revoked): sign in again' });
    const down = await callAs(requireAuth(tokens({}), undefined, sessions({}, true)), 'GET', { cookie: `wab_session=${ID}` });
    expect(down.err).toMatchObject({ code: 'STORE_UNAVAILABLE', message: 'cannot check the session (shared database): connect ECONNREFUSED' });
  });

  it('a token in the headers wins over the cookie, and without a session store the cookie means nothing', async () => {
    const s = sessions({ [ID]: admin });
    const device: Caller = { kind: 'device', id: 'd1', scope: { slots: null, role: 'read' } };
    const both = await callAs(requireAuth(tokens({ dev: device }), undefined, s), 'POST', { apikey: 'dev', cookie: `wab_session=${ID}` });
    expect(both.err).toBeUndefined();
    expect(callerOf(both.res)).toEqual(device);
    expect(s.identify).not.toHaveBeenCalled();
    const none = await callAs(requireAuth(tokens({})), 'GET', { cookie: `wab_session=${ID}` });
    expect(none.err).toMatchObject({ code: 'UNAUTHORIZED', message: 'missing or invalid token' });
  });
});
