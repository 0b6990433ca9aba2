// Snapshot timing around an engine: first one after READY, then periodic; a store that is away
// is retried with backoff and the engine never notices; a clean stop snapshots, a CONFLICT does not.
import { describe, expect, it } from 'vitest';
import type { EngineContext, EngineEvent, WhatsAppEngine } from '../../bridge/engine/types.js';
import { withSnapshots } from '../../bridge/snapshots/schedule.js';
import type { SnapshotStore } from '../../bridge/snapshots/types.js';
import { waitFor } from '../helpers/bridge.js';
import { fakeProfile, makeKit, silent } from './kit.js';

function fakeEngine(ctx: EngineContext, log: string[]): WhatsAppEngine {
  const fail = () => Promise.reject(new Error('not in this test'));
  return {
    kind: 'demo',
    start: async () => {
      await ctx.beforeLaunch?.();
      log.push('start');
    },
    stop: async () => void log.push('stop'),
    logout: async () => void log.push('logout'),
    resolvePhone: fail,
    sendText: fail,
    sendMedia: fail,
    sendPoll: fail,
    getChats: fail,
    getChat: fail,
    getMessages: fail,
    markRead: fail,
    getAvatarUrl: fail,
    downloadMedia: fail,
    getState: async () => 'CONNECTED',
    processInfo: () => ({ pid: null, rssBytes: null }),
  };
}

function setup(store?: SnapshotStore) {
  const kit = makeKit(store ? { store } : {});
  fakeProfile(kit.profile(1));
  const log: string[] = [];
  const events: EngineEvent[] = [];
  const restoreErrors: string[] = [];
  let emit: (e: EngineEvent) => void = () => undefined;
  const factory = withSnapshots(
    (ctx) => {
      emit = ctx.emit;
      return fakeEngine(ctx, log);
    },
    kit.service,
    { firstDelayMs: 20, intervalMs: 60, retryBaseMs: 10, onRestoreFailed: (_n, m) => restoreErrors.push(m) },
  );
  const engine = factory({ slot: 1, slotDir: kit.dataDir, dataDir: kit.dataDir, logger: silent, emit: (e) => events.push(e) });
  return { kit, engine, log, events, restoreErrors, emit: (e: EngineEvent) => emit(e) };
}

describe('snapshot schedule', () => {
  it('first snapshot after READY, then periodic; none after a disconnect', async () => {
    const s = setup();
    await s.engine.start();
    s.emit({ type: 'ready', phone: '15550000001', name: 'A' });
    expect(s.events.map((e) => e.type)).toEqual(['ready']);
    await waitFor(async () => (await s.kit.service.list(1)).length >= 3, 5000, 'three snapshots');
    const reasons = (await s.kit.service.list(1)).map((m) => m.reason).reverse();
    expect(reasons[0]).toBe('first');
    expect(reasons.slice(1).every((r) => r === 'interval')).toBe(true);
    s.emit({ type: 'disconnected', reason: 'CONFLICT' });
    const ids = (await s.kit.service.list(1)).map((m) => m.id);
    await s.engine.stop();
    await new Promise((r) => setTimeout(r, 150));
    expect((await s.kit.service.list(1)).map((m) => m.id)).toEqual(ids);
  });

  it('a store that is away is retried with backoff; the engine is unaffected', async () => {
    let calls = 0;
    const inner = makeKit().store;
    const flaky: SnapshotStore = {
      kind: 'http',
      where: 'test',
      put: (m, b) => (++calls <= 3 ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5656')) : inner.put(m, b)),
      get: (slot, id) => inner.get(slot, id),
      list: (slot) => inner.list(slot),
      delete: (slot, id) => inner.delete(slot, id),
      close: async () => undefined,
    };
    const s = setup(flaky);
    await s.engine.start();
    s.emit({ type: 'ready', phone: '15550000001', name: 'A' });
    await waitFor(async () => (await inner.list(1)).length === 1, 5000, 'a snapshot after the store came back');
    expect(calls).toBe(4);
    expect(s.kit.service.storeError).toBeNull();
    await s.engine.stop();
  });

  it('a clean stop of a READY engine snapshots after the browser closed; a logout forgets', async () => {
    const s = setup();
    await s.engine.start();
    s.emit({ type: 'ready', phone: '15550000001', name: 'A' });
    await s.engine.stop();
    expect(s.log).toEqual(['start', 'stop']);
    expect((await s.kit.service.list(1)).map((m) => m.reason)).toEqual(['stop']);
    await s.engine.logout();
    expect(await s.kit.service.list(1)).toEqual([]);
    expect(s.kit.accounts.loggedOut(1)).toBe(true);
  });

  it('a failed restore before launch is reported and the launch goes on', async () => {
    const s = setup();
    s.kit.accounts.setAccount(1, '15550000001@c.us');
    await s.kit.service.take(1, 'manual');
    s.kit.accounts.setAccount(1, '15550000009@c.us');
    (await import('node:fs')).rmSync(s.kit.profile(1), { recursive: true });
    await s.engine.start();
    expect(s.log).toEqual(['start']);
    expect(s.restoreErrors).toEqual([expect.stringMatching(/^restore from snapshot failed: .*is of 15550000001@c\.us/)]);
  });
});
