// Issue 16: the admin app's files go out pre-compressed (made at build time) with long cache
// lifetimes for content-hashed assets, and the app shell revalidated.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type TestBridge } from '../helpers/bridge.js';
import { RENDERER } from './kit.js';

let t: TestBridge;

function get(route: string, acceptEncoding?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(t.bridge.url + route, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
  });
}

beforeAll(async () => {
  t = await startBridge({}, { rendererDir: RENDERER });
});
afterAll(() => t.stop());

describe('static files', () => {
  const mainScript = () => fs.readdirSync(path.join(RENDERER, 'assets')).find((f) => /^index-.+\.js$/.test(f))!;

  it('serves brotli, else gzip, else plain, with a year of cache for hashed assets', async () => {
    const name = mainScript();
    const original = fs.readFileSync(path.join(RENDERER, 'assets', name));
    const br = await get(`/assets/${name}`, 'gzip, deflate, br');
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(zlib.brotliDecompressSync(br.body).equals(original)).toBe(true);
    expect(br.body.length).toBeLessThan(original.length / 2);

    const gz = await get(`/assets/${name}`, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).equals(original)).toBe(true);

    const plain = await get(`/assets/${name}`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(original)).toBe(true);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('revalidates the app shell, also on the SPA fallback; a missing asset is a 404, not the shell', async () => {
    for (const route of ['/', '/index.html', '/chats']) {
      const res = await get(route, 'br');
      expect(res.status, route).toBe(200);
      expect(res.headers['cache-control'], route).toBe('no-cache');
    }
    expect((await get('/', 'br')).headers['content-encoding']).toBe('br');
    expect((await get('/assets/nope-12345678.js', 'br')).status).toBe(404);
    expect([400, 404]).toContain((await get('/assets/%E0%A4%A.js', 'br')).status);
  });
});
