// Cluster mode on the demo engine: three in-process bridges share one MariaDB database. One
// owner per slot; a node cut off from the database self-fences and another takes the slot over
// READY from its snapshot (no QR, same account), never READY on two nodes at once; a planned
// move; start/stop as cluster-wide wishes; cluster health in seed 002's shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../../bridge/types.js';
import { startBridge, waitFor } from '../helpers/bridge.js';
import { localStates, readyOn, startCluster, watchSingleOwner, type ClusterNodeHandle, type TestCluster } from './kit.js';

describe('cluster mode (demo engine, three nodes)', () => {
  let c: TestCluster;
  const qrs: { node: string; slot: number }[] = [];

  beforeAll(async () => {
    c = await startCluster(['alpha', 'beta', 'gamma']);
    for (const n of c.nodes) n.bridge.onEvent((e: BridgeEvent) => void (e.type === 'qr' && qrs.push({ node: n.name, slot: e.slot })));
  }, 60_000);
  afterAll(async () => {
    await c?.stop();
  }, 60_000);

  const health = async (via: ClusterNodeHandle) => (await via.http.get('/api/cluster/health').set('apikey', via.token).expect(200)).body;
  const newestSnapshot = async (slot: number) => (await c.db.query('SELECT id, fence FROM session_snapshots WHERE slot = ? ORDER BY created_at DESC LIMIT 1', [slot]))[0];

  it('a slot started on any node runs on exactly one; health lists every node in the guide shape', async () => {
    const [alpha] = c.nodes;
    await alpha!.http.post('/api/connect').set('apikey', alpha!.token).send({ slot: 1 }).expect(200);
    const owner = await readyOn(c.nodes, 1);
    const states = await localStates(c.nodes, 1);
    expect([...states.values()].filter((s) => s.state !== 'STOPPED')).toHaveLength(1);

    const body = await waitFor(async () => {
      const h = await health(c.nodes[2]!);
      return h.slots['1'].gateway_status === 'connected' ? h : null;
    }, 10_000, 'cluster health shows slot 1 connected');
    expect(Object.keys(body.health).sort()).toEqual(c.nodes.map((n) => n.id).sort());
    expect(Object.values(body.health).filter((n) => (n as { role: string }).role === 'primary_master')).toHaveLength(1);
    expect(body.health[owner.id]).toMatchObject({ gateway_status: 'connected', slots: { '1': { gateway_status: 'connected', state: 'READY' } } });
    for (const n of c.nodes.filter((x) => x !== owner)) expect(body.health[n.id]).toMatchObject({ gateway_status: 'disconnected', role: expect.stringMatching(/_master$/), slots: {} });
    expect(body.slots['1']).toMatchObject({ owner: owner.id, wanted: true, gateway_status: 'connected', state: 'READY' });
    expect(body.slots['2']).toMatchObject({ owner: null, wanted: false, gateway_status: 'disconnected' });
    expect(body.meta).toMatchObject({ api_status: 'stable' });

    const own = (await owner.http.get('/api/health').set('apikey', owner.token).expect(200)).body.node;
    expect(own).toMatchObject({ id: owner.id, cluster: true, role: expect.stringMatching(/_master$/) });
    expect(own.leases.find((l: { slot: number }) => l.slot === 1)).toMatchObject({ fence: expect.any(Number), expiresInMs: expect.any(Number) });
    const metrics = await owner.http.get('/metrics').set('apikey', owner.token).expect(200);
    expect(metrics.text).toMatch(/wab_lease_owned\{slot="1"\} 1/);
  });

  it('the owner cut off from the database self-fences; another node has the slot READY from its snapshot, no QR, never two at once', async () => {
    const owner = await readyOn(c.nodes, 1);
    const phone = (await localStates([owner], 1)).get(owner.name)!.phone;
    await waitFor(() => newestSnapshot(1), 10_000, 'a snapshot of slot 1');
    const watch = watchSingleOwner(c.nodes, 1);
    const qrsBefore = qrs.length;
    await owner.proxy.cut();
    const others = c.nodes.filter((n) => n !== owner);
    // The cut node stops its slot on its own (it cannot renew), before the lease can expire
    // (TTL 10 s: it fences at most 8 s after its last good renewal).
    await waitFor(async () => (await localStates([owner], 1)).get(owner.name)?.state === 'STOPPED', 30_000, 'the cut node fenced slot 1');
    const next = await readyOn(others, 1, 45_000);
    const doubles = await watch.stop();
    expect(doubles).toEqual([]);
    expect(qrs.slice(qrsBefore)).toEqual([]);
    expect((await localStates([next], 1)).get(next.name)!.phone).toBe(phone);
    const metrics = await owner.http.get('/metrics').set('apikey', owner.token).expect(200);
    expect(metrics.text).toMatch(/wab_lease_fenced_total\{reason="deadline"\} [1-9]/);
    const nextMetrics = await next.http.get('/metrics').set('apikey', next.token).expect(200);
    expect(nextMetrics.text).toMatch(/wab_failover_seconds_count [1-9]/);

    // The silent node is shown as not ready.
    const body = await waitFor(async () => {
      const h = await health(next);
      return h.health[owner.id]?.errors ? h : null;
    }, 15_000, 'health shows the cut node with errors');
    expect(body.health[owner.id]).toEqual({ errors: [{ code: 1011, title: 'Service not ready', details: expect.stringMatching(/^no heartbeat for \d+ s$/) }] });

    // Back on the database, the old owner drives nothing: the slot stays where it is.
    await owner.proxy.restore();
    await waitFor(async () => !(await health(next)).health[owner.id]?.errors, 15_000, 'the old owner heartbeats again');
    const states = await localStates(c.nodes, 1);
    expect(states.get(owner.name)!.state).toBe('STOPPED');
    expect(states.get(next.name)!.ready).toBe(true);
  }, 120_000);

  it('a planned move: snapshot, release, the target takes over READY without a QR', async () => {
    const from = await readyOn(c.nodes, 1);
    const to = c.nodes.find((n) => n !== from)!;
    const qrsBefore = qrs.length;
    const watch = watchSingleOwner(c.nodes, 1);
    const res = await to.http.post('/api/cluster/slots/1/move').set('apikey', to.token).send({ node: to.id });
    expect([res.status, res.body.error]).toEqual([202, undefined]);
    expect(res.body).toMatchObject({ success: true, slot: 1, from: from.id, to: to.id, moving: true });
    await waitFor(async () => (await localStates([to], 1)).get(to.name)?.ready, 20_000, 'slot 1 READY on the target');
    expect(await watch.stop()).toEqual([]);
    expect(qrs.slice(qrsBefore)).toEqual([]);
    expect((await localStates([from], 1)).get(from.name)!.state).toBe('STOPPED');
    // The hand-over snapshot was written by the old owner on its way out.
    const snap = await newestSnapshot(1);
    expect((await c.db.query('SELECT reason FROM session_snapshots WHERE id = ?', [snap!.id]))[0]!.reason).toBe('stop');
    // Moving to where it already is changes nothing.
    const again = await to.http.post('/api/cluster/slots/1/move').set('apikey', to.token).send({ node: to.id }).expect(200);
    expect(again.body).toMatchObject({ moving: false });
  });

  it('move refuses bad input: no node 400, unknown node 404, bad slot 400, device token 403', async () => {
    const n = c.nodes[0]!;
    expect((await n.http.post('/api/cluster/slots/1/move').set('apikey', n.token).send({}).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    expect((await n.http.post('/api/cluster/slots/1/move').set('apikey', n.token).send({ node: 7 }).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    expect((await n.http.post('/api/cluster/slots/1/move').set('apikey', n.token).send({ node: 'nobody:000000' }).expect(404)).body.error.code).toBe('NOT_FOUND');
    expect((await n.http.post('/api/cluster/slots/9/move').set('apikey', n.token).send({ node: n.id }).expect(400)).body.error.code).toBe('INVALID_SLOT');
    const device = (await n.http.post('/api/devices').set('apikey', n.token).send({ name: 'Phone' }).expect(201)).body.token as string;
    expect((await n.http.post('/api/cluster/slots/1/move').set('apikey', device).send({ node: n.id }).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect((await n.http.get('/api/cluster/health').expect(401)).body.error.code).toBe('UNAUTHORIZED');
    await n.http.get('/api/cluster/health').set('apikey', device).expect(200);
  });

  it('stop on a node that does not run the slot stops it cluster-wide; nobody restarts it', async () => {
    const owner = await readyOn(c.nodes, 1);
    const other = c.nodes.find((n) => n !== owner)!;
    await other.http.post('/api/disconnect').set('apikey', other.token).send({ slot: 1 }).expect(200);
    await waitFor(async () => (await localStates([owner], 1)).get(owner.name)?.state === 'STOPPED', 10_000, 'the owner stopped slot 1');
    const body = await waitFor(async () => {
      const h = await health(other);
      return h.slots['1'].owner === null ? h : null;
    }, 10_000, 'slot 1 released');
    expect(body.slots['1']).toMatchObject({ owner: null, wanted: false });
    // A few poll rounds later it is still running nowhere.
    await new Promise((r) => setTimeout(r, 1500));
    const states = await localStates(c.nodes, 1);
    expect([...states.values()].every((s) => s.state === 'STOPPED')).toBe(true);
  });

  it('stop on the node that runs the slot stores its clean snapshot before the lease goes; the next start restores it without a QR', async () => {
    const [alpha] = c.nodes;
    await alpha!.http.post('/api/connect').set('apikey', alpha!.token).send({ slot: 3 }).expect(200);
    const owner = await readyOn(c.nodes, 3);
    await waitFor(() => newestSnapshot(3), 10_000, 'a first snapshot of slot 3');
    await owner.http.post('/api/disconnect').set('apikey', owner.token).send({ slot: 3 }).expect(200);
    // Stored under the lease (a release first would have fenced it out: FENCED, an older snapshot left).
    const snap = await newestSnapshot(3);
    expect((await c.db.query('SELECT reason FROM session_snapshots WHERE id = ?', [snap!.id]))[0]!.reason).toBe('stop');
    await waitFor(async () => (await health(owner)).slots['3'].owner === null, 10_000, 'slot 3 released');
    const qrsBefore = qrs.length;
    await owner.http.post('/api/connect').set('apikey', owner.token).send({ slot: 3 }).expect(200);
    await readyOn(c.nodes, 3);
    expect(qrs.slice(qrsBefore)).toEqual([]);
  });
});

describe('without cluster mode', () => {
  it('cluster routes answer NOT_FOUND, health has no node block', async () => {
    const t = await startBridge({ slots: 1 });
    try {
      const res = await t.http.get('/api/cluster/health').set('apikey', t.token).expect(404);
      expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/cluster mode is off/) });
      await t.http.post('/api/cluster/slots/1/move').set('apikey', t.token).send({ node: 'x' }).expect(404);
      const health = await t.http.get('/api/health').set('apikey', t.token).expect(200);
      expect(health.body).not.toHaveProperty('node');
    } finally {
      await t.stop();
    }
  });
});
