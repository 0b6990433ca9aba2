// A MySQL server that keeps the connection but stops answering (a proxy that pauses forwarding):
// writes time out, go to the local spool, health says so, and all of it lands once it answers.
import fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { proxiedStores } from '../../test/archive/proxied-store.js';

const { msg, start } = proxiedStores('hung');

describe('a hung MySQL', () => {
  it('times writes out into the spool, says so in health, and writes everything once it answers', async () => {
    const { store, proxy, count, spool } = await start({ writeTimeoutMs: 400 });
    for (let i = 0; i < 5; i++) store.saveMessage(1, msg(i));
    await store.flush();
    expect(await count()).toBe(5);

    proxy.pause();
    for (let i = 5; i < 25; i++) store.saveMessage(1, msg(i));
    await vi.waitFor(() => expect(store.health()).toMatchObject({ ok: false, error: expect.stringMatching(/did not answer/) }), { timeout: 5000, interval: 25 });
    // On disk, not in memory: a kill -9 now loses none of them.
    await vi.waitFor(() => expect(store.health().pending).toBe(20), { timeout: 5000, interval: 25 });
    expect(fs.readFileSync(spool, 'utf8').trim().split('\n')).toHaveLength(20);

    proxy.resume();
    await vi.waitFor(() => expect(store.health()).toMatchObject({ ok: true, pending: 0 }), { timeout: 15_000, interval: 50 });
    expect(await count()).toBe(25);
  });

  it('times reads out with a clear 503 ARCHIVE_UNAVAILABLE, and reads again once it answers', async () => {
    const { store, proxy } = await start({ writeTimeoutMs: 400, readTimeoutMs: 300 });
    for (let i = 0; i < 3; i++) store.saveMessage(1, msg(i));
    await store.flush();
    expect(await store.listMessages(1, '1555@c.us', 10, 0)).toHaveLength(3);

    proxy.pause();
    const unavailable = { code: 'ARCHIVE_UNAVAILABLE', status: 503, retryAfter: 5, message: expect.stringMatching(/unreachable: no answer within 300 ms/) };
    await expect(store.listMessages(1, '1555@c.us', 10, 0)).rejects.toMatchObject(unavailable);
    await expect(store.search({ query: 'hung', slot: 1, limit: 10, offset: 0 })).rejects.toMatchObject(unavailable);
    await expect(store.search({ query: 'hung', limit: 10, offset: 0 })).rejects.toMatchObject(unavailable);
    // More reads than the read pool has connections: each still answers, none waits forever.
    const many = await Promise.allSettled(Array.from({ length: 8 }, () => store.getMessage(1, msg(0).id)));
    expect(many.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'answered'))).toEqual(Array(8).fill('ARCHIVE_UNAVAILABLE'));

    proxy.resume();
    await vi.waitFor(async () => expect(await store.listMessages(1, '1555@c.us', 10, 0)).toHaveLength(3), { timeout: 15_000, interval: 100 });
  });

  it('spools as soon as too many writes wait behind a hung one, before the timeout', async () => {
    const { store, proxy } = await start({ writeTimeoutMs: 60_000, maxWaitingWrites: 50 });
    proxy.pause();
    store.saveMessage(1, msg(0));
    await new Promise((r) => setTimeout(r, 60)); // that write is on its way and hangs
    for (let i = 1; i <= 100; i++) store.saveMessage(1, msg(i));
    await vi.waitFor(() => expect(store.health()).toMatchObject({ ok: false, error: expect.stringMatching(/writes waiting/) }), { timeout: 5000, interval: 25 });
    await vi.waitFor(() => expect(store.health().pending).toBe(101), { timeout: 5000, interval: 25 });
    proxy.resume();
  });
});
