// The desktop shell's own sign-in, against a real bridge: the cookie it puts in the window's jar
// signs that window in (HttpOnly, SameSite=Strict), and a refused token is a clear error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type TestBridge } from '../test/helpers/bridge.js';
import { parseSetCookie, signInDesktop, type CookieJar } from './desktop-session.js';

type Saved = Parameters<CookieJar['set']>[0];

let t: TestBridge;
beforeAll(async () => {
  t = await startBridge({ slots: 1 });
});
afterAll(() => t.stop());

describe('desktop sign-in', () => {
  it('puts an HttpOnly, SameSite=Strict session cookie for the bridge in the jar; it signs the window in', async () => {
    const saved: Saved[] = [];
    await signInDesktop({ bridgeUrl: t.bridge.url, adminToken: t.token, cookies: { set: async (c) => void saved.push(c) } });
    expect(saved).toHaveLength(1);
    const c = saved[0]!;
    expect(c).toMatchObject({ url: t.bridge.url, name: 'wab_session', path: '/', httpOnly: true, secure: false, sameSite: 'strict' });
    expect(c.value).not.toContain(t.token);
    expect(c.expirationDate! * 1000).toBeGreaterThan(Date.now() + 24 * 3600_000);
    const state = await t.http.get('/api/session').set('cookie', `wab_session=${c.value}`).expect(200);
    expect(state.body).toMatchObject({ signedIn: true, kind: 'admin' });
  });

  it('a refused token is an error naming the reason, and nothing is put in the jar', async () => {
    const saved: Saved[] = [];
    await expect(signInDesktop({ bridgeUrl: t.bridge.url, adminToken: 'not-the-admin-token-0000', cookies: { set: async (c) => void saved.push(c) } })).rejects.toThrow(
      /refused the desktop sign-in \(HTTP 401: that token is not valid/,
    );
    expect(saved).toEqual([]);
  });

  it('reads Set-Cookie lines', () => {
    expect(parseSetCookie('wab_session=abc; Path=/; Expires=Thu, 01 Jan 2037 00:00:00 GMT; HttpOnly')).toEqual({ name: 'wab_session', value: 'abc', expires: Date.UTC(2037, 0, 1) });
    expect(parseSetCookie('x=1')).toEqual({ name: 'x', value: '1', expires: null });
    expect(parseSetCookie('garbage')).toBeNull();
    expect(parseSetCookie('=v')).toBeNull();
  });
});
