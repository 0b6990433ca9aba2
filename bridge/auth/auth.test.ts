// Tokens (stored hashed, compared in constant time), the admin token's origin, the audit log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStateDb, type StateDb } from '../state/db.js';
import { AuditLog } from './audit.js';
import { ADMIN_TOKEN_FILE, hashToken, loadAdminToken, newToken, TokenStore } from './tokens.js';

const ADMIN = 'admin-token-for-the-auth-tests-0123';
const dirs: string[] = [];
const dbs: StateDb[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-auth-'));
  dirs.push(d);
  return d;
}
function db(): StateDb {
  const s = openStateDb(tmp());
  dbs.push(s);
  return s;
}
afterEach(() => {
  for (const s of dbs.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('tokens', () => {
  it('are random 256-bit base64url strings, hashed with SHA-256', () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(a);
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('the admin token: configured, else saved in the data dir, else generated and saved owner-only', () => {
    const dir = tmp();
    expect(loadAdminToken(dir, 'configured-token-0123456789')).toBe('configured-token-0123456789');
    expect(fs.existsSync(path.join(dir, ADMIN_TOKEN_FILE))).toBe(false);
    const made = loadAdminToken(dir);
    expect(made).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = path.join(dir, ADMIN_TOKEN_FILE);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${made}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadAdminToken(dir)).toBe(made);
    fs.writeFileSync(file, '  sixteen-chars-ok  \n');
    expect(loadAdminToken(dir)).toBe('sixteen-chars-ok');
    fs.writeFileSync(file, 'fifteen-chars-x');
    const replaced = loadAdminToken(dir);
    expect(replaced).not.toBe('fifteen-chars-x');
    expect(replaced).toHaveLength(43);
  });

  it('identifies the admin and paired devices; wrong, empty and revoked tokens are nobody', async () => {
    const store = new TokenStore(db(), ADMIN);
    expect(await store.identify(ADMIN)).toEqual({ kind: 'admin', id: 'admin' });
    expect(await store.identify(undefined)).toBeNull();
    expect(await store.identify('')).toBeNull();
    expect(await store.identify(`${ADMIN}x`)).toBeNull();
    const { deviceId, token } = await store.createDevice('Till phone', undefined, 1000);
    expect(deviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await store.identify(token)).toEqual({ kind: 'device', id: deviceId, scope: { slots: null, role: 'manage' } });
    expect(await store.listDevices()).toEqual([{ deviceId, name: 'Till phone', createdAt: 1000, lastSeenAt: null, slots: null, role: 'manage' }]);
    await store.touch(deviceId, 2000);
    expect((await store.listDevices())[0]!.lastSeenAt).toBe(2000);
    expect(await store.revokeDevice(deviceId)).toBe(true);
    expect(await store.revokeDevice(deviceId)).toBe(false);
    expect(await store.identify(token)).toBeNull();
    expect(await store.listDevices()).toEqual([]);
  });

  it('stores only hashes, and lists devices in pairing order', async () => {
    const s = db();
    const store = new TokenStore(s, ADMIN);
    const b = await store.createDevice('second', undefined, 2000);
    const a = await store.createDevice('first', undefined, 1000);
    const rows = s.prepare('SELECT token_hash FROM devices').all() as { token_hash: string }[];
    expect(rows.map((r) => r.token_hash).sort()).toEqual([hashToken(a.token), hashToken(b.token)].sort());
    expect(JSON.stringify(s.prepare('SELECT * FROM devices').all())).not.toContain(a.token);
    expect((await store.listDevices()).map((d) => d.name)).toEqual(['first', 'second']);
  });
});

describe('audit log', () => {
  it('records who did what from where, newest first, limited', async () => {
    const log = new AuditLog(db());
    log.record('admin', 'device_added', { deviceId: 'd1' }, '127.0.0.1', 1000);
    log.record('admin', 'settings_changed', null, null, 2000);
    log.record('d1', 'send', { n: 1 }, '192.168.1.5', 3000);
    const recent = await log.recent(2);
    expect(recent).toEqual([
      { id: 3, at: 3000, actor: 'd1', action: 'send', detail: '{"n":1}', ip: '192.168.1.5' },
      { id: 2, at: 2000, actor: 'admin', action: 'settings_changed', detail: null, ip: null },
    ]);
    expect(await log.recent(10)).toHaveLength(3);
  });
});
