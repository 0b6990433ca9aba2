// The auth middleware on its own: who the caller is, when the device was last seen, admin-only routes.
import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import type { Caller, TokenStore } from '../auth/tokens.js';
import { BridgeError } from '../domain/index.js';
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
});

describe('adminOnly', () => {
  it('lets the admin through and refuses devices with FORBIDDEN', async () => {
    expect((await call(adminOnly, {}, { caller: { kind: 'admin', id: 'admin' } })).next).toHaveBeenCalledWith();
    const { err } = await call(adminOnly, {}, { caller: { kind: 'device', id: 'd1', scope: { slots: null, role: 'manage' } } });
    expect(err).toMatchObject({ code: 'FORBIDDEN', message: 'this route needs the admin token' });
  });
});
