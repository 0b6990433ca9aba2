// Cluster mode, draining: an admin marks node B draining; B hands its slot to A by a planned move
// (READY there without a QR), takes no new slot (not even a move aimed at it), and health shows
// it. Undrained, B takes slots again and gets its preferred slot back (as a node that just joined);
// other moved slots stay. A draining coordinator hands the coordinator lease on, unless no node
// that is not draining is there to take it.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/bridge.js';
import { ADMIN, ownedBy, twoNodes, type TestDb, type TestNode } from './routing-kit.js';

let db: TestDb;
let a: TestNode;
let b: TestNode;

twoNodes({ preferredSlots: '2' }, async (n) => {
  ({ db, a, b } = n);
  await a.http.post('/api/connect').set('apikey', ADMIN).send({ slot: 2 }).expect(200);
  await ownedBy(db, b, 2);
});

const health = async (node: TestNode) => (await node.http.get('/api/cluster/health').set('apikey', ADMIN).expect(200)).body;

describe('draining a node', () => {
  it('bad requests: device token 403, unknown node 404, body without a boolean 400', async () => {
    const device = await a.http.post('/api/devices').set('apikey', ADMIN).send({ name: 'not an admin' }).expect(201);
    await a.http.post(`/api/cluster/nodes/${b.id}/drain`).set('apikey', device.body.token).send({ draining: true }).expect(403);
    const unknown = await a.http.post('/api/cluster/nodes/nope:000000/drain').set('apikey', ADMIN).send({ draining: true }).expect(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    const bad = await a.http.post(`/api/cluster/nodes/${b.id}/drain`).set('apikey', ADMIN).send({ draining: 'yes' }).expect(400);
    expect(bad.body.error.message).toContain('draining');
    expect((await health(a)).health[b.id].draining).toBe(false);
  });

  it('B hands slot 2 to A, takes nothing while draining, and takes slots again once undrained', async () => {
    const res = await a.http.post(`/api/cluster/nodes/${b.id}/drain`).set('apikey', ADMIN).send({ draining: true }).expect(200);
    expect(res.body).toMatchObject({ success: true, node: b.id, draining: true });
    // The planned move: slot 2 READY on A, restored from B's snapshot (no QR).
    await ownedBy(db, a, 2);
    const slot2 = ((await a.http.get('/api/slots').set('apikey', ADMIN)).body as { slot: number; state: string }[]).find((s) => s.slot === 2);
    expect(slot2?.state).toBe('READY');
    const seen = await health(b);
    expect(seen.health[b.id]).toMatchObject({ draining: true, slots: {} });
    expect(seen.slots['2'].owner).toBe(a.id);
    // No new slot for B: a new wish goes to A, and a move aimed at B is refused.
    await b.http.post('/api/connect').set('apikey', ADMIN).send({ slot: 3 }).expect(200);
    await ownedBy(db, a, 3);
    const refused = await a.http.post('/api/cluster/slots/3/move').set('apikey', ADMIN).send({ node: b.id }).expect(409);
    expect(refused.body.error.message).toContain('draining');
    expect((await health(a)).health[b.id].slots).toEqual({});

    await a.http.post(`/api/cluster/nodes/${b.id}/drain`).set('apikey', ADMIN).send({ draining: false }).expect(200);
    expect((await health(a)).health[b.id].draining).toBe(false);
    // Homecoming: B's preferred slot 2 comes back by a planned move; slot 3 (not preferred) stays on A.
    await ownedBy(db, b, 2);
    expect((await health(a)).slots['3'].owner).toBe(a.id);
    await a.http.post('/api/cluster/slots/3/move').set('apikey', ADMIN).send({ node: b.id }).expect(202);
    await ownedBy(db, b, 3);
    await waitFor(async () => (await health(a)).slots['3'].owner === b.id, 10_000, 'health showing slot 3 on B');
  }, 60_000);

  it('a draining coordinator hands the coordinator lease to the node that is not draining; with none left, it is kept', async () => {
    const roles = async () => {
      const h = (await health(a)).health as Record<string, { role: string }>;
      return { a: h[a.id]!.role, b: h[b.id]!.role };
    };
    const primary = await waitFor(async () => {
      const r = await roles();
      return r.a === 'primary_master' ? a : r.b === 'primary_master' ? b : null;
    }, 10_000, 'a primary_master');
    const other = primary === a ? b : a;
    const drain = (n: TestNode, draining: boolean) => a.http.post(`/api/cluster/nodes/${n.id}/drain`).set('apikey', ADMIN).send({ draining }).expect(200);
    try {
      await drain(primary, true);
      await waitFor(async () => (await other.http.get('/api/health').set('apikey', ADMIN)).body.node.role === 'primary_master', 10_000, `${other.name} primary_master`);
      expect((await primary.http.get('/api/health').set('apikey', ADMIN)).body.node.role).toBe('secondary_master');
      // Both draining: nobody else may coordinate, so the holder keeps the lease.
      await drain(other, true);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const r = await roles();
      expect(r[other === a ? 'a' : 'b']).toBe('primary_master');
      expect(r[primary === a ? 'a' : 'b']).toBe('secondary_master');
    } finally {
      await drain(primary, false);
      await drain(other, false);
    }
  }, 30_000);
});
