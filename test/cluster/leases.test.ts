// Slot leases on the local MariaDB: one winner per slot, renew only by the holder under its
// fence, expiry by the database clock, a stale fence refused everywhere it matters (renew,
// release, slot status, snapshot writes and deletes).
import mysql, { type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseStore } from '../../bridge/cluster/leases.js';
import { NodeTable } from '../../bridge/cluster/nodes.js';
import { ensureClusterTables } from '../../bridge/cluster/schema.js';
import { SnapshotError } from '../../bridge/snapshots/errors.js';
import { FORMAT_VERSION } from '../../bridge/snapshots/format.js';
import { newSnapshotId } from '../../bridge/snapshots/ids.js';
import { MysqlSnapshotStore } from '../../bridge/snapshots/stores/mysql.js';
import type { SnapshotMeta } from '../../bridge/snapshots/types.js';
import { createTestDatabase } from '../archive/mysql-kit.js';
import { waitFor } from '../helpers/bridge.js';

/** Leases that must not run out during a check (a busy machine can take seconds per query). */
const HELD = 60_000;
/** Leases the expiry checks wait out. */
const TTL = 800;

describe('slot leases', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: Pool;
  let a: LeaseStore;
  let b: LeaseStore;
  /** Node a again, taking short leases. */
  let aBrief: LeaseStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = mysql.createPool({ uri: db.url(), connectionLimit: 4 });
    await ensureClusterTables(pool);
    await ensureClusterTables(pool); // twice: every node runs it at start
    a = new LeaseStore(pool, 'node-a:aaaaaa', HELD);
    b = new LeaseStore(pool, 'node-b:bbbbbb', HELD);
    aBrief = new LeaseStore(pool, a.nodeId, TTL);
    await a.ensureRows(3, [2]);
    await b.ensureRows(3, []); // a later node changes nothing
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('rows exist once per slot; only the first node seeds the wishes', async () => {
    const rows = await a.list();
    expect(rows.map((r) => [r.slot, r.wanted, r.owner, r.free])).toEqual([
      [0, true, null, true],
      [1, false, null, true],
      [2, true, null, true],
      [3, false, null, true],
    ]);
  });

  it('one winner per acquire, fence bumped; the loser gets null', async () => {
    const results = await Promise.all([a.acquire(1), b.acquire(1)]);
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ fence: 1, previous: { owner: null, fence: 0 } });
    const row = (await a.get(1))!;
    expect(row.free).toBe(false);
    expect(row.fence).toBe(1);
    const owner = row.owner === a.nodeId ? a : b;
    const other = owner === a ? b : a;
    expect(await other.acquire(1)).toBeNull();
    expect(await owner.renew(1, 1)).toBe(true);
    expect(await other.renew(1, 1)).toBe(false);
    expect(await owner.renew(1, 0)).toBe(false);
    expect(await other.release(1, 1)).toBe(false);
    expect((await a.get(1))!.owner).toBe(owner.nodeId);
    expect(await owner.release(1, 1)).toBe(true);
    expect((await a.get(1))!).toMatchObject({ owner: null, free: true, fence: 1 });
  });

  it('an expired lease (database clock) goes to another node; the old holder can neither renew nor release', async () => {
    const first = (await aBrief.acquire(3))!;
    expect(first.fence).toBe(1);
    const second = await waitFor(() => b.acquire(3), 10_000, 'lease 3 expired and taken by b');
    expect(second).toMatchObject({ fence: 2, previous: { owner: a.nodeId, fence: 1 } });
    expect(second.previous.renewedAgoMs).toBeGreaterThanOrEqual(TTL);
    expect(await a.renew(3, 1)).toBe(false);
    expect(await a.release(3, 1)).toBe(false);
    expect((await b.get(3))!.owner).toBe(b.nodeId);
    expect(await b.release(3, 2, { unwanted: true })).toBe(true);
    expect((await b.get(3))!).toMatchObject({ owner: null, wanted: false });
  });

  it('slot status is written only under the current fence', async () => {
    const nodesA = new NodeTable(pool, a.nodeId);
    const got = (await a.acquire(2))!;
    expect(await nodesA.writeStatus(2, got.fence, { state: 'READY', phone: '15550000002', lastError: null })).toBe(true);
    expect(await nodesA.writeStatus(2, got.fence - 1, { state: 'QR', phone: null, lastError: null })).toBe(false);
    const nodesB = new NodeTable(pool, b.nodeId);
    expect(await nodesB.writeStatus(2, got.fence, { state: 'QR', phone: null, lastError: null })).toBe(false);
    expect((await nodesA.statuses()).find((s) => s.slot === 2)).toMatchObject({ node: a.nodeId, fence: got.fence, state: 'READY' });
    await a.release(2, got.fence);
  });

  it('moves and preferences: a move names its target, taking the slot clears it', async () => {
    await a.setPreferred([1]);
    await a.requestMove(1, b.nodeId);
    expect((await a.get(1))!).toMatchObject({ preferredNode: a.nodeId, moveTo: b.nodeId, wanted: true });
    await b.acquire(1);
    const row = (await a.get(1))!;
    expect(row).toMatchObject({ owner: b.nodeId, moveTo: null });
    await b.release(1, row.fence);
    await a.setPreferred([]);
    expect((await a.get(1))!.preferredNode).toBeNull();
  });

  it("a drain's hand-over: only while wanted, held by the node named, no other move pending (a stop meanwhile wins)", async () => {
    await a.setWanted(3, true);
    const got = (await a.acquire(3))!;
    expect(await a.requestHandOver(3, b.nodeId, 'node-c:cccccc')).toBe(false); // b does not hold it
    await a.setWanted(3, false);
    expect(await a.requestHandOver(3, a.nodeId, b.nodeId)).toBe(false); // stopped meanwhile: not restarted elsewhere
    expect((await a.get(3))!).toMatchObject({ wanted: false, moveTo: null });
    await a.setWanted(3, true);
    await a.requestMove(3, 'node-c:cccccc');
    expect(await a.requestHandOver(3, a.nodeId, b.nodeId)).toBe(false); // an admin's move wins
    await a.setWanted(3, false);
    await a.setWanted(3, true);
    expect(await a.requestHandOver(3, a.nodeId, b.nodeId)).toBe(true);
    expect((await a.get(3))!).toMatchObject({ owner: a.nodeId, moveTo: b.nodeId, wanted: true });
    await a.release(3, got.fence, { unwanted: true });
  });

  it('asking a preferred slot back: only while wanted, held by the node named, preferred here, no other move pending', async () => {
    await a.setPreferred([3]);
    await a.setWanted(3, true);
    const got = (await b.acquire(3))!;
    expect(await a.requestMoveBack(3, 'node-c:cccccc')).toBe(false); // not the holder
    await a.setWanted(3, false);
    expect(await a.requestMoveBack(3, b.nodeId)).toBe(false); // stopped meanwhile: no restart
    await a.setWanted(3, true);
    await a.requestMove(3, 'node-c:cccccc');
    expect(await a.requestMoveBack(3, b.nodeId)).toBe(false); // an admin's move wins
    expect((await a.get(3))!.moveTo).toBe('node-c:cccccc');
    await a.setWanted(3, false);
    await a.setWanted(3, true);
    expect(await b.requestMoveBack(3, b.nodeId)).toBe(false); // b does not prefer it
    expect(await a.requestMoveBack(3, b.nodeId)).toBe(true);
    expect((await a.get(3))!).toMatchObject({ owner: b.nodeId, moveTo: a.nodeId, wanted: true });
    await b.release(3, got.fence, { unwanted: true });
    await a.setPreferred([]);
  });

  it('a zombie snapshot write (stale fence) is refused, the holder\'s goes through with its fence', async () => {
    const store = new MysqlSnapshotStore(db.url());
    let holder: { node: string; fence: number } | null = null;
    store.fencedBy(() => holder);
    const meta = (n: number): SnapshotMeta => ({ id: newSnapshotId(Date.now() + n), slot: 2, wid: '15550000002@c.us', createdAt: Date.now() + n, reason: 'interval', bytes: 4, sha256: 'a'.repeat(64), formatVersion: FORMAT_VERSION });
    try {
      const held = (await waitFor(() => aBrief.acquire(2), 10_000, 'lease 2'))!;
      holder = null; // this node never held it: refused before touching the database
      await expect(store.put(meta(1), Buffer.from('blob'))).rejects.toMatchObject({ code: 'FENCED' });
      holder = { node: a.nodeId, fence: held.fence };
      const good = meta(2);
      await store.put(good, Buffer.from('blob'));
      expect((await db.query('SELECT fence FROM session_snapshots WHERE id = ?', [good.id]))[0]!.fence).toBe(held.fence);
      // a loses the lease (expiry), b takes it: a's writes and deletes under its old fence are refused.
      const taken = await waitFor(() => b.acquire(2), 10_000, 'lease 2 taken by b');
      const zombie = store.put(meta(3), Buffer.from('zombie'));
      await expect(zombie).rejects.toBeInstanceOf(SnapshotError);
      await expect(zombie).rejects.toMatchObject({ code: 'FENCED' });
      await expect(store.delete(2, good.id)).rejects.toMatchObject({ code: 'FENCED' });
      expect((await store.list(2)).map((m) => m.id)).toEqual([good.id]);
      holder = { node: b.nodeId, fence: taken.fence };
      await store.delete(2, good.id);
      expect(await store.list(2)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("a snapshot upload does not hold up the holder's renewals: the lease row is locked only for the short commit", async () => {
    const store = new MysqlSnapshotStore(db.url());
    const quick = new LeaseStore(pool, a.nodeId, HELD, 3000);
    const blocker = await pool.getConnection();
    try {
      const held = (await waitFor(() => a.acquire(3), 10_000, 'lease 3'))!;
      store.fencedBy(() => ({ node: a.nodeId, fence: held.fence }));
      await store.list(3); // tables ready
      const createdAt = Date.now();
      const meta: SnapshotMeta = { id: newSnapshotId(createdAt), slot: 3, wid: '15550000003@c.us', createdAt, reason: 'stop', bytes: 4, sha256: 'b'.repeat(64), formatVersion: FORMAT_VERSION };
      // Hold the upload mid-way: an uncommitted row with the key of its first chunk makes it wait.
      await blocker.beginTransaction();
      await blocker.query('INSERT INTO session_snapshot_chunks (slot, id, seq, data) VALUES (3, ?, 0, ?)', [meta.id, Buffer.from('x')]);
      const upload = store.put(meta, Buffer.from('blob'));
      await waitFor(
        async () => ((await db.query("SELECT id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'INSERT INTO session_snapshot_chunks%'")) as unknown[]).length > 0,
        10_000,
        'the upload waiting mid-way',
      );
      // The owner renews meanwhile (with the lease row locked for the whole upload this timed out).
      expect(await quick.renew(3, held.fence)).toBe(true);
      await blocker.rollback();
      await upload;
      expect((await db.query('SELECT fence FROM session_snapshots WHERE id = ?', [meta.id]))[0]!.fence).toBe(held.fence);
      // A refused upload leaves no pieces behind.
      store.fencedBy(() => ({ node: a.nodeId, fence: held.fence - 1 }));
      const refused = { ...meta, id: newSnapshotId(createdAt + 1), createdAt: createdAt + 1 };
      await expect(store.put(refused, Buffer.from('late'))).rejects.toMatchObject({ code: 'FENCED' });
      expect(await db.query('SELECT seq FROM session_snapshot_chunks WHERE id = ?', [refused.id])).toEqual([]);
    } finally {
      await blocker.rollback().catch(() => undefined);
      blocker.release();
      await store.close();
    }
  });
});
