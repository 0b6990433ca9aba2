// A clean stop stores its snapshot under the lease, also when the browser is slow to close: a
// second stop asked meanwhile, and a node's own clean stop (its renewals must go on until every
// slot is snapshotted), must not release or lose the lease first. Otherwise the stop snapshot is
// refused FENCED and the next owner restores an older one. Two demo nodes whose engines take
// SLOW_STOP_MS to stop, with a lease whose self-fence deadline is shorter than that.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoEngineFactory } from '../../bridge/engine/demo/index.js';
import { waitFor } from '../helpers/bridge.js';
import { readyOn, startCluster, type TestCluster } from './kit.js';

/** Longer than the self-fence window below (TTL − margin − one renew period = 1.5 s). */
const SLOW_STOP_MS = 3000;

describe('stop snapshots in a cluster (a browser slow to close)', () => {
  let c: TestCluster;

  beforeAll(async () => {
    c = await startCluster(['one', 'two'], { slots: 2, leaseTtlMs: 3000, leaseRenewMs: 500, fenceMarginMs: 1000 }, () => {
      const demo = createDemoEngineFactory({ scanMs: 200, sessionInProfile: true });
      return {
        engineFactory: (ctx) => {
          const engine = demo(ctx);
          const stop = engine.stop.bind(engine);
          engine.stop = async () => {
            await new Promise((r) => setTimeout(r, SLOW_STOP_MS));
            await stop();
          };
          return engine;
        },
      };
    });
  }, 60_000);
  afterAll(async () => {
    await c?.stop();
  }, 60_000);

  const reasons = async (slot: number) =>
    ((await c.db.query('SELECT reason FROM session_snapshots WHERE slot = ? ORDER BY created_at DESC, id DESC', [slot])) as { reason: string }[]).map((r) => r.reason);
  const owner = async (slot: number) => ((await c.db.query('SELECT owner FROM slot_leases WHERE slot = ?', [slot]))[0] as { owner: string | null }).owner;

  it('two stops asked at once on the owner: the lease goes only after the stop snapshot is stored', async () => {
    const n = c.nodes[0]!;
    await n.http.post('/api/connect').set('apikey', n.token).send({ slot: 1 }).expect(200);
    const on = await readyOn(c.nodes, 1);
    await waitFor(async () => (await reasons(1)).length > 0, 10_000, 'a first snapshot of slot 1');
    // then() sends it now (supertest sends a request only once it is awaited or ended).
    const first = on.http.post('/api/disconnect').set('apikey', on.token).send({ slot: 1 }).then((res) => res);
    await new Promise((r) => setTimeout(r, 300));
    // The second finds nothing left to stop; it must still wait for the first's snapshot.
    await on.http.post('/api/disconnect').set('apikey', on.token).send({ slot: 1 }).expect(200);
    expect((await first).status).toBe(200);
    await waitFor(async () => (await owner(1)) === null, 10_000, 'slot 1 released');
    expect((await reasons(1))[0]).toBe('stop');
  }, 60_000);

  it("a node's clean stop keeps its lease renewed until its slots' stop snapshots are stored", async () => {
    const n = c.nodes[0]!;
    await n.http.post('/api/connect').set('apikey', n.token).send({ slot: 2 }).expect(200);
    const on = await readyOn(c.nodes, 2);
    await waitFor(async () => (await reasons(2)).length > 0, 10_000, 'a first snapshot of slot 2');
    await on.stop();
    expect((await reasons(2))[0]).toBe('stop');
    // The other node takes it over from that snapshot.
    await readyOn(c.nodes.filter((x) => x !== on), 2, 30_000);
  }, 60_000);
});
