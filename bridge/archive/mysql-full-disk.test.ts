// MySQL away and the spool's disk full at the same time (/dev/full stands in for a full disk):
// writes are held in memory up to a bound, health says so, nothing held is lost, and all of it
// reaches MySQL in order once the disk or the server is back.
import fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { proxiedStores } from '../../test/archive/proxied-store.js';

const { msg, start } = proxiedStores('full');

describe('MySQL away and the disk full at once', () => {
  it('holds writes in memory (bounded), reports it, and writes them once the disk and MySQL are back', async () => {
    const { store, proxy, spool, count } = await start({ maxHeldInMemory: 30 });

    for (let i = 0; i < 3; i++) store.saveMessage(1, msg(i));
    await store.flush();
    expect(await count()).toBe(3);

    // MySQL goes away, and every write to the spool fails with ENOSPC.
    fs.symlinkSync('/dev/full', spool);
    const port = proxy.port;
    await proxy.cut();
    for (let i = 3; i < 23; i++) store.saveMessage(1, msg(i));
    await store.flush();
    await vi.waitFor(() => expect(store.health()).toMatchObject({ ok: false, pending: 20, heldInMemory: 20, dropped: 0, error: expect.stringMatching(/spool cannot be written \(ENOSPC\): 20 writes held in memory/) }), { timeout: 10_000, interval: 25 });

    // Memory is bounded: past 30 held, writes are counted as dropped (and said so).
    for (let i = 23; i < 43; i++) store.saveMessage(1, msg(i));
    await store.flush();
    expect(store.health()).toMatchObject({ pending: 30, heldInMemory: 30, dropped: 10 });

    // The disk has room again (MySQL still away): what memory held moves to the spool, in order.
    fs.rmSync(spool);
    store.saveMessage(1, msg(100));
    await store.flush();
    expect(store.health()).toMatchObject({ pending: 31, heldInMemory: 0 });
    const spooled = fs.readFileSync(spool, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { message: { id: string } }).message.id);
    expect(spooled).toEqual([...Array.from({ length: 30 }, (_, k) => msg(3 + k).id), msg(100).id]);

    // MySQL back: everything held lands.
    proxy.port = port;
    await proxy.restore();
    await vi.waitFor(() => expect(store.health()).toMatchObject({ ok: true, pending: 0 }), { timeout: 15_000, interval: 50 });
    expect(await count()).toBe(3 + 30 + 1);
  });

  it('replays writes held in memory straight to MySQL when it returns before the disk does', async () => {
    const { store, proxy, spool, count } = await start();
    fs.symlinkSync('/dev/full', spool);
    const port = proxy.port;
    await proxy.cut();
    for (let i = 0; i < 10; i++) store.saveMessage(1, msg(i));
    await store.flush();
    await vi.waitFor(() => expect(store.health()).toMatchObject({ heldInMemory: 10 }), { timeout: 10_000, interval: 25 });
    proxy.port = port;
    await proxy.restore();
    await vi.waitFor(() => expect(store.health()).toMatchObject({ ok: true, pending: 0, heldInMemory: 0, dropped: 0 }), { timeout: 15_000, interval: 50 });
    expect(await count()).toBe(10);
  });
});
