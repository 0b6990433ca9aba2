// Cluster mode, draining: an admin marks node B draining; B hands its slot to A by a planned move
// (READY there without a QR), takes no new slot (not even a move aimed at it), and health shows
// it. Undrained, B takes slots again.
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
    await a.http.post('/api/cluster/slots/3/move').set('apikey', ADMIN).send({ node: b.id }).expect(202);
    await ownedBy(db, b, 3);
    await waitFor(async () => (await health(a)).slots['3'].owner === b.id, 10_000, 'health showing slot 3 on B');
  }, 60_000);
});
