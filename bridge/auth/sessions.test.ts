// Sign-in sessions: made only from a valid token, hashed at rest, ended by expiry, sign-out, a
// revoked device or a changed admin token; and the cookie/CSRF checks on the wire.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStateDb, type StateDb } from '../state/db.js';
import { csrfProblem, sameOrigin, sessionIdFromHeaders } from './session-cookie.js';
import { SessionStore } from './sessions.js';
import { hashToken, TokenStore } from './tokens.js';

const ADMIN = 'admin-token-for-the-session-tests-01';
const open: { dir: string; db: StateDb }[] = [];
function db(): StateDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-sessions-'));
  const s = openStateDb(dir);
  open.push({ dir, db: s });
  return s;
}
afterEach(() => {
  for (const { dir, db: s } of open.splice(0)) {
    s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('SessionStore', () => {
  it('signs in only a valid token, stores hashes only, and identifies the caller by the id', async () => {
    const state = db();
    const sessions = new SessionStore(state, new TokenStore(state, ADMIN));
    expect(await sessions.create('wrong-token-wrong-token')).toBeNull();
    const s = (await sessions.create(ADMIN, 1000))!;
    expect(s.caller).toEqual({ kind: 'admin', id: 'admin' });
    expect(s.idHash).toBe(hashToken(s.id));
    const rows = state.prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
    expect(rows).toEqual([{ id_hash: hashToken(s.id), token_hash: hashToken(ADMIN), device_id: null, created_at: 1000, expires_at: s.expiresAt }]);
    expect((await sessions.identify(s.id, 2000))?.caller).toEqual({ kind: 'admin', id: 'admin' });
    expect(await sessions.identify(undefined)).toBeNull();
    expect(await sessions.identify(s.idHash)).toBeNull(); // the stored hash is not a credential
  });

  it('expires after its lifetime and drops expired rows at the next sign-in', async () => {
    const state = db();
    const sessions = new SessionStore(state, new TokenStore(state, ADMIN), 60_000);
    const s = (await sessions.create(ADMIN, 0))!;
    expect(s.expiresAt).toBe(60_000);
    expect(await sessions.identify(s.id, 59_999)).not.toBeNull();
    expect(await sessions.identify(s.id, 60_000)).toBeNull();
    const old = (await sessions.create(ADMIN, 0))!;
    await sessions.create(ADMIN, 70_000);
    expect(state.prepare('SELECT COUNT(*) AS n FROM sessions WHERE id_hash = ?').get(old.idHash)).toEqual({ n: 0 });
  });

  it('prunes expired rows at once and then on its timer, without a sign-in; live ones stay', async () => {
    const state = db();
    const sessions = new SessionStore(state, new TokenStore(state, ADMIN), 1000);
    const count = (idHash: string) => (state.prepare('SELECT COUNT(*) AS n FROM sessions WHERE id_hash = ?').get(idHash) as { n: number }).n;
    const expired = (await sessions.create(ADMIN, Date.now() - 5000))!;
    const live = (await sessions.create(ADMIN))!;
    const errors: unknown[] = [];
    await sessions.startPruning((err) => errors.push(err), 30);
    try {
      expect(count(expired.idHash)).toBe(0);
      expect(count(live.idHash)).toBe(1);
      // Expires 100 ms from now: the timer drops it, nobody signs in meanwhile.
      const soon = (await sessions.create(ADMIN, Date.now() - 900))!;
      for (let waited = 0; count(soon.idHash) !== 0 && waited < 2000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(count(soon.idHash)).toBe(0);
      expect(count(live.idHash)).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      sessions.stopPruning();
    }
  });

  it('ends with sign-out, with its device, and when the admin token changes', async () => {
    const state = db();
    const tokens = new TokenStore(state, ADMIN);
    const sessions = new SessionStore(state, tokens);
    const admin = (await sessions.create(ADMIN))!;
    const dev = await tokens.createDevice('Desk', { slots: [2], role: 'read' });
    const viaDevice = (await sessions.create(dev.token))!;
    expect(viaDevice.caller).toEqual({ kind: 'device', id: dev.deviceId, scope: { slots: [2], role: 'read' } });
    expect(await sessions.end(admin.idHash)).toBe(true);
    expect(await sessions.identify(admin.id)).toBeNull();
    await tokens.revokeDevice(dev.deviceId);
    expect(await sessions.identify(viaDevice.id)).toBeNull();
    const again = (await sessions.create(ADMIN))!;
    const rotated = new SessionStore(state, new TokenStore(state, 'a-new-admin-token-after-rotation-01'));
    expect(await rotated.identify(again.id)).toBeNull();
  });

  it('endForDevice removes only that device\'s sessions', async () => {
    const state = db();
    const tokens = new TokenStore(state, ADMIN);
    const sessions = new SessionStore(state, tokens);
    const a = await tokens.createDevice('A');
    const b = await tokens.createDevice('B');
    await sessions.create(a.token);
    await sessions.create(a.token);
    const kept = (await sessions.create(b.token))!;
    expect(await sessions.endForDevice(a.deviceId)).toBe(2);
    expect(await sessions.identify(kept.id)).not.toBeNull();
  });
});

describe('session cookie on the wire', () => {
  it('reads only a well-formed wab_session cookie', () => {
    const id = 'A'.repeat(43);
    expect(sessionIdFromHeaders({ cookie: `theme=dark; wab_session=${id}; x=1` })).toBe(id);
    expect(sessionIdFromHeaders({ cookie: `wab_session_other=${id}` })).toBeUndefined();
    expect(sessionIdFromHeaders({ cookie: 'wab_session=short' })).toBeUndefined();
    expect(sessionIdFromHeaders({ cookie: `wab_session=${id}'--` })).toBeUndefined();
    expect(sessionIdFromHeaders({})).toBeUndefined();
  });

  it('same origin: no Origin, or one naming this host', () => {
    expect(sameOrigin({ host: '127.0.0.1:3000' })).toBe(true);
    expect(sameOrigin({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' })).toBe(true);
    expect(sameOrigin({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3001' })).toBe(false);
    expect(sameOrigin({ host: '127.0.0.1:3000', origin: 'null' })).toBe(false);
  });

  it('a change needs the CSRF header; reads do not', () => {
    const host = { host: 'h:1' };
    expect(csrfProblem('GET', host)).toBeNull();
    expect(csrfProblem('head', host)).toBeNull();
    expect(csrfProblem('POST', host)).toMatch(/x-wab-csrf/);
    expect(csrfProblem('DELETE', { ...host, 'x-wab-csrf': '' })).toMatch(/x-wab-csrf/);
    expect(csrfProblem('PUT', { ...host, 'x-wab-csrf': '1' })).toBeNull();
    expect(csrfProblem('GET', { ...host, origin: 'https://evil.example' })).toMatch(/another site/);
  });
});
