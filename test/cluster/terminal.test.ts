// CONFLICT and LOGOUT stay terminal in a cluster: the owner releases the lease without a snapshot
// (after a logout the slot's snapshots are deleted), the slot is no longer wanted, and no node
// starts it again until an admin does. Two demo nodes; the test plays WhatsApp's disconnect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoEngineFactory } from '../../bridge/engine/demo/index.js';
import type { EngineContext } from '../../bridge/engine/types.js';
import { waitFor } from '../helpers/bridge.js';
import { localStates, readyOn, startCluster, type TestCluster } from './kit.js';

describe('terminal disconnects in a cluster', () => {
  let c: TestCluster;
  /** The newest engine context per node and slot: lets the test speak as WhatsApp. */
  const contexts = new Map<string, EngineContext>();

  beforeAll(async () => {
    c = await startCluster(['one', 'two'], { slots: 1 }, (name) => {
      const demo = createDemoEngineFactory({ scanMs: 200, sessionInProfile: true });
      return {
        engineFactory: (ctx) => {
          contexts.set(`${name}/${ctx.slot}`, ctx);
          return demo(ctx);
        },
      };
    });
  }, 60_000);
  afterAll(async () => {
    await c?.stop();
  }, 60_000);

  const lease = async () => (await c.db.query('SELECT owner, wanted FROM slot_leases WHERE slot = 1'))[0]!;
  const snapshots = async () => (await c.db.query('SELECT id FROM session_snapshots WHERE slot = 1')).length;

  it('CONFLICT: FAILED, released without a snapshot, not wanted, not restarted; an admin start brings it back', async () => {
    const n = c.nodes[0]!;
    await n.http.post('/api/connect').set('apikey', n.token).send({ slot: 1 }).expect(200);
    const owner = await readyOn(c.nodes, 1);
    await waitFor(async () => (await snapshots()) > 0, 10_000, 'a snapshot of slot 1');
    const before = await snapshots();
    contexts.get(`${owner.name}/1`)!.emit({ type: 'disconnected', reason: 'CONFLICT' });
    await waitFor(async () => (await lease()).owner === null, 10_000, 'the lease released');
    expect(await lease()).toMatchObject({ owner: null, wanted: 0 });
    expect((await localStates([owner], 1)).get(owner.name)!.state).toBe('FAILED');
    expect(await snapshots()).toBe(before);
    // Several poll rounds later no node has started it.
    await new Promise((r) => setTimeout(r, 1500));
    expect([...(await localStates(c.nodes, 1)).values()].some((s) => s.state !== 'STOPPED' && s.state !== 'FAILED')).toBe(false);
    expect((await lease()).owner).toBeNull();

    await n.http.post('/api/connect').set('apikey', n.token).send({ slot: 1 }).expect(200);
    await readyOn(c.nodes, 1);
  });

  it('LOGOUT: the slot stops, its snapshots are deleted, and it is not wanted', async () => {
    const owner = await readyOn(c.nodes, 1);
    await waitFor(async () => (await snapshots()) > 0, 10_000, 'a snapshot of slot 1');
    contexts.get(`${owner.name}/1`)!.emit({ type: 'disconnected', reason: 'LOGOUT' });
    await waitFor(async () => (await lease()).owner === null, 10_000, 'the lease released');
    expect(await lease()).toMatchObject({ owner: null, wanted: 0 });
    await waitFor(async () => (await localStates([owner], 1)).get(owner.name)!.state === 'STOPPED', 10_000, 'slot 1 stopped');
    expect(await snapshots()).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect([...(await localStates(c.nodes, 1)).values()].every((s) => s.state === 'STOPPED')).toBe(true);
  });
});
