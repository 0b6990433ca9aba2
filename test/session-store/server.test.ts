// The session-store service (seed 003): apikey on every route, body limit, hostile keys, atomic
// writes; and the bridge's http snapshot store against it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSessionStoreConfig } from '../../bridge/session-store/config.js';
import { createSessionStoreServer } from '../../bridge/session-store/server.js';
import { HttpSnapshotStore } from '../../bridge/snapshots/stores/http.js';
import { tempDir } from '../helpers/bridge.js';
import { fakeProfile, IDB, makeKit } from '../snapshots/kit.js';

const TOKEN = 'test-token-' + randomBytes(8).toString('hex');

interface Reply {
  status: number;
  body: { success?: boolean; data?: string; keys?: { name: string; bytes: number }[]; error?: { code: string; message: string } };
}

/** A raw request (fetch would normalise `..` out of the path before sending). */
function request(port: number, method: string, rawPath: string, opts: { apikey?: string; body?: string | Buffer; chunked?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.apikey !== undefined) headers.apikey = opts.apikey;
    const req = http.request({ host: '127.0.0.1', port, method, path: rawPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) {
      if (opts.chunked) {
        req.setHeader('transfer-encoding', 'chunked');
        const body = Buffer.from(opts.body);
        for (let i = 0; i < body.length; i += 4096) req.write(body.subarray(i, i + 4096));
      } else req.write(opts.body);
    }
    req.end();
  });
}

describe('session-store service', () => {
  let server: http.Server;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    dir = path.join(tempDir('wab-store-'), 'data');
    const config = loadSessionStoreConfig({ GLOBAL_AUTH_TOKEN: TOKEN, SESSION_STORE_DIR: dir, BODY_SIZE: '0.05', SESSION_STORE_PORT: '0' });
    server = createSessionStoreServer(config);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses to start without GLOBAL_AUTH_TOKEN, and says so', async () => {
    expect(() => loadSessionStoreConfig({})).toThrow(/^GLOBAL_AUTH_TOKEN: required/);
    expect(() => loadSessionStoreConfig({ GLOBAL_AUTH_TOKEN: TOKEN, BODY_SIZE: 'big' })).toThrow(/^BODY_SIZE/);
    expect(() => loadSessionStoreConfig({ GLOBAL_AUTH_TOKEN: TOKEN, HTTP_LOGS: 'yes' })).toThrow(/^HTTP_LOGS/);
    const child = spawn(process.execPath, ['--import', 'tsx', 'bridge/session-store/main.ts'], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/GLOBAL_AUTH_TOKEN: required/);
  });

  it('answers 401 on every route without or with a wrong apikey, and stores nothing', async () => {
    const routes: [string, string, string?][] = [
      ['GET', '/'],
      ['GET', '/g'],
      ['POST', '/g/n', JSON.stringify({ data: 'x' })],
      ['GET', '/g/n'],
      ['DELETE', '/g/n'],
      ['PUT', '/g/n'],
      ['GET', '/a/b/c/d'],
      ['POST', '/../escape', JSON.stringify({ data: 'x' })],
    ];
    for (const [method, p, body] of routes) {
      for (const apikey of [undefined, '', 'wrong', TOKEN + 'x', TOKEN.slice(0, -1)]) {
        const res = await request(port, method, p, { apikey, body });
        expect([method, p, apikey, res.status]).toEqual([method, p, apikey, 401]);
        expect(res.body.error?.code).toBe('UNAUTHORIZED');
      }
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('stores, fetches, lists and deletes', async () => {
    expect((await request(port, 'GET', '/', { apikey: TOKEN })).body).toMatchObject({ success: true });
    expect((await request(port, 'POST', '/grp/key-1', { apikey: TOKEN, body: JSON.stringify({ data: 'hello' }) })).status).toBe(200);
    expect((await request(port, 'GET', '/grp/key-1', { apikey: TOKEN })).body).toEqual({ success: true, data: 'hello' });
    expect((await request(port, 'GET', '/grp', { apikey: TOKEN })).body.keys).toEqual([{ name: 'key-1', bytes: 5, updatedAt: expect.any(Number) }]);
    expect((await request(port, 'DELETE', '/grp/key-1', { apikey: TOKEN })).status).toBe(200);
    expect((await request(port, 'GET', '/grp/key-1', { apikey: TOKEN })).status).toBe(404);
    expect((await request(port, 'DELETE', '/grp/key-1', { apikey: TOKEN })).status).toBe(404);
    expect((await request(port, 'GET', '/nothing-here', { apikey: TOKEN })).body).toEqual({ success: true, group: 'nothing-here', keys: [] });
    expect((await request(port, 'POST', '/grp/k', { apikey: TOKEN, body: '{"data": 5}' })).status).toBe(400);
    expect((await request(port, 'POST', '/grp/k', { apikey: TOKEN, body: 'not json' })).status).toBe(400);
  });

  it('a body over BODY_SIZE gets 413 with a JSON error (declared or chunked)', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(60 * 1024) });
    for (const chunked of [false, true]) {
      const res = await request(port, 'POST', '/grp/big', { apikey: TOKEN, body: big, chunked });
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/BODY_SIZE/) });
    }
    expect((await request(port, 'GET', '/grp/big', { apikey: TOKEN })).status).toBe(404);
  });

  it('refuses hostile keys and writes nothing outside its folder', async () => {
    const before = fs.readdirSync(path.dirname(dir)).sort();
    for (const p of ['/../x', '/%2e%2e/x', '/g/..', '/g/%2e%2e', '/g/a%2Fb', '/g/a%5Cb', '/g/%00', '/g/a%00b', `/g/${'a'.repeat(129)}`, '/g/.hidden', '/.g/x', '/g/%E0%A4%A', '/g//x', '/g/x/']) {
      const res = await request(port, 'POST', p, { apikey: TOKEN, body: JSON.stringify({ data: 'pwn' }) });
      expect([p, res.status]).toEqual([p, 400]);
      expect(res.body.error?.code).toBe('INVALID_KEY');
    }
    expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(before);
    expect((await request(port, 'POST', `/g/${'a'.repeat(128)}`, { apikey: TOKEN, body: JSON.stringify({ data: 'ok' }) })).status).toBe(200);
  });

  it('writes are atomic: a reader sees the old or the new value, never a partial one; no temp files stay', async () => {
    const a = 'A'.repeat(40_000);
    const b = 'B'.repeat(40_000);
    await request(port, 'POST', '/atomic/k', { apikey: TOKEN, body: JSON.stringify({ data: a }) });
    const seen = new Set<string>();
    const writes = (async () => {
      for (let i = 0; i < 30; i++) await request(port, 'POST', '/atomic/k', { apikey: TOKEN, body: JSON.stringify({ data: i % 2 ? a : b }) });
    })();
    let done = false;
    void writes.then(() => (done = true));
    while (!done) {
      const res = await request(port, 'GET', '/atomic/k', { apikey: TOKEN });
      expect(res.status).toBe(200);
      seen.add(res.body.data === a ? 'a' : res.body.data === b ? 'b' : `partial ${res.body.data?.length}`);
    }
    expect([...seen].filter((s) => s.startsWith('partial'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'atomic'))).toEqual(['k']);
  });

  it('serves as the bridge’s snapshot store: parts under the body limit, restore round trip', async () => {
    const store = new HttpSnapshotStore(`http://127.0.0.1:${port}`, TOKEN);
    const kit = makeKit({ store });
    // Well over the 50 KiB body limit: the client halves its part size until parts fit.
    fakeProfile(kit.profile(2), { idbBytes: 200 * 1024, marker: 'via-http' });
    kit.accounts.setAccount(2, '15550000002@c.us');
    const meta = await kit.service.take(2, 'manual');
    expect(meta.bytes).toBeGreaterThan(200 * 1024);
    const names = fs.readdirSync(path.join(dir, 'wa-bridge-slot-2'));
    expect(names.filter((n) => n.includes('.part-')).length).toBeGreaterThan(4);
    expect(names).toContain(`${meta.id}.meta`);
    expect((await kit.service.list(2)).map((m) => m.id)).toEqual([meta.id]);
    fs.rmSync(kit.profile(2), { recursive: true });
    await kit.service.restore(2);
    expect(fs.readFileSync(path.join(kit.profile(2), IDB, 'marker'), 'utf8')).toBe('via-http');
    await store.delete(2, meta.id);
    expect(fs.readdirSync(path.join(dir, 'wa-bridge-slot-2'))).toEqual([]);

    // A wrong token is a clear store error, not a crash.
    const wrong = makeKit({ store: new HttpSnapshotStore(`http://127.0.0.1:${port}`, 'wrong-token-123456') });
    await expect(wrong.service.list(2)).rejects.toThrow(/answered 401/);
  });

  it('an unreachable service: take says STORE_UNAVAILABLE, restore too', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const kit = makeKit({ store: new HttpSnapshotStore(`http://127.0.0.1:${deadPort}`, TOKEN) });
    fakeProfile(kit.profile(1));
    kit.accounts.setAccount(1, '15550000001@c.us');
    await expect(kit.service.take(1, 'interval')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/unreachable \(ECONNREFUSED\)/) });
    fs.rmSync(kit.profile(1), { recursive: true });
    await expect(kit.service.restore(1)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
