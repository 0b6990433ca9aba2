// The slot supervisor on fake timers: which timers stay armed, what a replaced or stopped engine
// can still do (nothing), the QR budget's edge, the memory guard's edge and wording, and the log
// lines an operator reads when a slot restarts or gives up.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineContext, EngineEvent, WhatsAppEngine } from '../engine/types.js';
import { renderQr } from './qr.js';
import { Slot, type SlotHooks, type SupervisorPolicy } from './slot.js';

interface Gate<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

/** A promise the test settles by hand. */
function gate<T = void>(): Gate<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** An engine double whose start, stop, logout and getState answer when the test says. */
class Engine {
  stops = 0;
  loggedOut = false;
  startGate: Gate<void> | null = null;
  stopGate: Gate<void> | null = null;
  stateGate: Gate<string> | null = null;
  logoutError: Error | null = null;
  pss: number | null = null;
  constructor(readonly ctx: EngineContext) {}
  emit(e: EngineEvent) {
    this.ctx.emit(e);
  }
  start() {
    return this.startGate?.promise ?? Promise.resolve();
  }
  stop() {
    this.stops++;
    return this.stopGate?.promise ?? Promise.resolve();
  }
  async logout() {
    if (this.logoutError) throw this.logoutError;
    this.loggedOut = true;
  }
  getState() {
    return this.stateGate?.promise ?? Promise.resolve('CONNECTED');
  }
  processInfo() {
    return { pid: 7, rssBytes: this.pss === null ? null : this.pss * 4, pssBytes: this.pss };
  }
}

const MiB = 1048576;
const base: SupervisorPolicy = {
  reconnectAttempts: 3,
  reconnectDelayMs: 60_000,
  watchdogIntervalMs: 1000,
  watchdogTimeoutMs: 500,
  qrMaxRefreshes: 2,
  memoryLimitBytes: 2 * MiB,
};

function setup(policy: Partial<SupervisorPolicy> = {}, prepare?: (e: Engine, index: number) => void) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slot-sup-'));
  const engines: Engine[] = [];
  const qrs: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  const hooks: SlotHooks = {
    onState: () => undefined,
    onQr: (_s, q) => void qrs.push(q.raw),
    onEngineEvent: () => undefined,
    onWish: () => undefined,
    onRestart: () => undefined,
    onQrScanned: () => undefined,
  };
  const slot = new Slot(
    2,
    path.join(dir, 'slots', 'slot-2'),
    (ctx) => {
      const e = new Engine(ctx);
      prepare?.(e, engines.length);
      engines.push(e);
      return e as unknown as WhatsAppEngine;
    },
    { ...base, ...policy },
    hooks,
    logger,
  );
  return { slot, engines, qrs, lines };
}

/** Let promise chains (and the QR renderer) run; timers stay frozen. */
async function settle() {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

async function ready(ctx: ReturnType<typeof setup>, index = 0) {
  await settle();
  ctx.engines[index]!.emit({ type: 'ready', phone: '15550002', name: 'Shop' });
  await settle();
  expect(ctx.slot.state).toBe('READY');
}

/** A slot connected and READY on its first engine (the watchdog armed). */
async function readySlot(policy: Partial<SupervisorPolicy> = {}, prepare?: (e: Engine, index: number) => void) {
  const ctx = setup(policy, prepare);
  ctx.slot.connect();
  await ready(ctx);
  return ctx;
}

beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }));
afterEach(() => void vi.useRealTimers());

describe('Slot supervisor timers', () => {
  it('a fresh slot is stopped, not expired, and arms no timer', () => {
    const { slot } = setup();
    expect([slot.state, slot.qrExpired, slot.active, slot.reconnecting]).toEqual(['STOPPED', false, false, false]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('disconnect leaves neither the watchdog nor a pending relaunch behind', async () => {
    const ctx = await readySlot();
    expect(vi.getTimerCount()).toBe(1); // the watchdog
    await ctx.slot.disconnect();
    expect(vi.getTimerCount()).toBe(0);

    ctx.slot.connect();
    await settle();
    ctx.engines[1]!.emit({ type: 'failure', error: 'crash 1' }); // relaunched at once
    await settle();
    ctx.engines[2]!.emit({ type: 'failure', error: 'crash 2' }); // second in a row: waits the delay
    await settle();
    expect(ctx.slot.state).toBe('RECONNECTING');
    expect(vi.getTimerCount()).toBe(1); // the delayed relaunch
    await ctx.slot.disconnect();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(base.reconnectDelayMs);
    expect(ctx.engines).toHaveLength(3);
    expect(ctx.slot.state).toBe('STOPPED');
  });

  it('an engine whose start finishes after a disconnect neither fails the slot nor arms a watchdog', async () => {
    const ctx = setup({}, (e, i) => {
      if (i < 2) e.startGate = gate();
    });
    ctx.slot.connect();
    await settle();
    await ctx.slot.disconnect();
    ctx.engines[0]!.startGate!.resolve();
    await settle();
    expect(vi.getTimerCount()).toBe(0);
    ctx.slot.connect();
    await settle();
    await ctx.slot.disconnect();
    ctx.engines[1]!.startGate!.reject(new Error('browser closed while starting'));
    await settle();
    expect(ctx.slot.state).toBe('STOPPED');
    expect(ctx.slot.lastError).toBeNull();
    expect(ctx.engines).toHaveLength(2);
  });

  it('a successful watchdog probe clears its deadline timer', async () => {
    const ctx = await readySlot();
    await vi.advanceTimersByTimeAsync(base.watchdogIntervalMs * 3);
    expect(vi.getTimerCount()).toBe(1); // only the watchdog's interval
    expect(ctx.slot.state).toBe('READY');
  });

  it('a probe still waiting when the slot is disconnected does not restart it', async () => {
    const ctx = await readySlot();
    ctx.engines[0]!.stateGate = gate<string>();
    await vi.advanceTimersByTimeAsync(base.watchdogIntervalMs); // probe sent, no answer yet
    await ctx.slot.disconnect();
    await vi.advanceTimersByTimeAsync(base.watchdogTimeoutMs); // its deadline passes
    expect([ctx.slot.state, ctx.slot.lastError, ctx.engines.length]).toEqual(['STOPPED', null, 1]);
  });

  it('a memory reading that arrives after a disconnect does not restart the slot', async () => {
    const ctx = await readySlot();
    ctx.engines[0]!.stateGate = gate<string>();
    ctx.engines[0]!.pss = 10 * MiB;
    await vi.advanceTimersByTimeAsync(base.watchdogIntervalMs);
    await ctx.slot.disconnect();
    ctx.engines[0]!.stateGate.resolve('CONNECTED'); // answered in time, but for a stopped slot
    await settle();
    expect([ctx.slot.state, ctx.slot.lastError, ctx.engines.length]).toEqual(['STOPPED', null, 1]);
  });
});

describe('Slot supervisor: replaced engines', () => {
  it('after disconnect and connect, the first engine\'s late events are ignored', async () => {
    const ctx = setup();
    ctx.slot.connect();
    await settle();
    await ctx.slot.disconnect();
    ctx.slot.connect();
    await settle();
    ctx.engines[0]!.emit({ type: 'ready', phone: '1', name: 'old' });
    ctx.engines[0]!.emit({ type: 'failure', error: 'old engine' });
    await settle();
    expect([ctx.slot.state, ctx.slot.phone, ctx.slot.lastError, ctx.engines.length]).toEqual(['STARTING', null, null, 2]);
  });

  it('after a restart, the crashed engine\'s late events are ignored', async () => {
    const ctx = await readySlot();
    ctx.engines[0]!.emit({ type: 'failure', error: 'crash' });
    await settle();
    expect(ctx.engines).toHaveLength(2);
    ctx.engines[0]!.emit({ type: 'failure', error: 'late crash report' });
    ctx.engines[0]!.emit({ type: 'ready', phone: '9', name: 'ghost' });
    await settle();
    expect([ctx.slot.state, ctx.slot.lastError, ctx.slot.restarts, ctx.engines.length]).toEqual(['RECONNECTING', 'crash', 1, 2]);
  });

  it('relaunches only once the crashed browser has closed (its profile lock must be free)', async () => {
    const ctx = await readySlot({}, (e, i) => {
      if (i === 0) e.stopGate = gate();
    });
    ctx.engines[0]!.emit({ type: 'failure', error: 'crash' });
    await settle();
    expect(ctx.engines).toHaveLength(1);
    ctx.engines[0]!.stopGate!.resolve();
    await settle();
    expect(ctx.engines).toHaveLength(2);
  });

  it('a disconnect while the crashed browser is still closing cancels the relaunch', async () => {
    const ctx = await readySlot({}, (e, i) => {
      if (i === 0) e.stopGate = gate();
    });
    ctx.engines[0]!.emit({ type: 'failure', error: 'crash' });
    await settle();
    const disconnected = ctx.slot.disconnect();
    ctx.engines[0]!.stopGate!.resolve();
    await disconnected;
    await settle();
    expect([ctx.slot.state, ctx.engines.length]).toEqual(['STOPPED', 1]);
  });
});

describe('Slot supervisor: connect, disconnect and "reconnecting"', () => {
  it('connect while starting, showing a QR, linking or reconnecting launches nothing new', async () => {
    const ctx = setup();
    ctx.slot.connect();
    await settle();
    const seen: string[] = [];
    const tryConnect = async () => {
      seen.push(ctx.slot.state);
      expect(ctx.slot.active).toBe(true);
      ctx.slot.connect();
      await settle();
    };
    await tryConnect(); // STARTING
    ctx.engines[0]!.emit({ type: 'qr', qr: 'ref' });
    await vi.waitFor(() => expect(ctx.slot.state).toBe('QR'));
    await tryConnect();
    ctx.engines[0]!.emit({ type: 'authenticated' });
    await settle();
    await tryConnect();
    ctx.engines[0]!.emit({ type: 'recovering', reason: 'page crashed; reloading' });
    await settle();
    await tryConnect();
    expect(seen).toEqual(['STARTING', 'QR', 'AUTHENTICATED', 'RECONNECTING']);
    expect(ctx.engines).toHaveLength(1);
  });

  it('disconnect without logout keeps the account and the WhatsApp session', async () => {
    const ctx = await readySlot();
    await ctx.slot.disconnect();
    expect([ctx.slot.phone, ctx.slot.name, ctx.engines[0]!.loggedOut, ctx.engines[0]!.stops]).toEqual(['15550002', 'Shop', false, 1]);
  });

  it('disconnect of a slot that never started just records STOPPED', async () => {
    const ctx = setup();
    await expect(ctx.slot.disconnect(true)).resolves.toBeUndefined();
    expect(ctx.slot.state).toBe('STOPPED');
  });

  it('a logout that fails still closes the browser, forgets the account and says so in the log', async () => {
    const ctx = await readySlot({}, (e) => void (e.logoutError = new Error('page gone')));
    await ctx.slot.disconnect(true);
    expect([ctx.engines[0]!.stops, ctx.slot.phone, ctx.slot.state]).toEqual([1, null, 'STOPPED']);
    expect(ctx.lines).toContainEqual(expect.objectContaining({ level: 40, slot: 2, err: 'Error: page gone', msg: 'logout failed; session files removed anyway' }));
  });

  it('after a logout, FAILED or STOPPED, the next start is not "reconnecting" (no link to wait for)', async () => {
    const out = await readySlot();
    await out.slot.disconnect(true);
    out.slot.connect();
    await settle();
    expect([out.slot.state, out.slot.reconnecting]).toEqual(['STARTING', false]);

    const stopped = await readySlot();
    await stopped.slot.disconnect();
    stopped.slot.connect();
    await settle();
    expect([stopped.slot.state, stopped.slot.reconnecting]).toEqual(['STARTING', false]);

    const failed = await readySlot({ reconnectAttempts: 0 });
    failed.engines[0]!.emit({ type: 'failure', error: 'crash' });
    await settle();
    expect(failed.slot.state).toBe('FAILED');
    failed.slot.connect();
    await settle();
    expect([failed.slot.state, failed.slot.reconnecting]).toEqual(['STARTING', false]);

    const loggedOut = await readySlot();
    loggedOut.engines[0]!.emit({ type: 'disconnected', reason: 'LOGOUT' });
    await settle();
    expect([loggedOut.slot.state, loggedOut.slot.reconnecting]).toEqual(['STARTING', false]);
  });

  it('gives the engine a logger that names the slot', () => {
    const ctx = setup();
    ctx.slot.connect();
    expect(ctx.engines[0]!.ctx.logger.bindings()).toMatchObject({ slot: 2 });
    expect(ctx.engines[0]!.ctx.slot).toBe(2);
  });
});

describe('Slot supervisor: QR codes', () => {
  it('shows every code up to the budget; only the one after it ends the attempt', async () => {
    const ctx = setup({ qrMaxRefreshes: 2 });
    ctx.slot.connect();
    await settle();
    ctx.engines[0]!.emit({ type: 'qr', qr: 'a' });
    await vi.waitFor(() => expect(ctx.qrs).toEqual(['a']));
    ctx.engines[0]!.emit({ type: 'qr', qr: 'b' });
    await vi.waitFor(() => expect(ctx.qrs).toEqual(['a', 'b']));
    expect([ctx.slot.state, ctx.slot.qr?.raw, ctx.slot.qrExpired]).toEqual(['QR', 'b', false]);
    ctx.engines[0]!.emit({ type: 'qr', qr: 'c' });
    await settle();
    expect([ctx.slot.state, ctx.slot.qrExpired, ctx.engines[0]!.stops]).toEqual(['FAILED', true, 1]);
  });

  it('a QR still rendering is dropped when the phone links or the slot is disconnected meanwhile', async () => {
    const linked = setup();
    linked.slot.connect();
    await settle();
    linked.engines[0]!.emit({ type: 'qr', qr: 'late' });
    linked.engines[0]!.emit({ type: 'authenticated' });
    await renderQr('late'); // as long as the slot's own rendering takes
    await settle();
    expect([linked.slot.state, linked.qrs]).toEqual(['AUTHENTICATED', []]);

    const ready = setup();
    ready.slot.connect();
    await settle();
    ready.engines[0]!.emit({ type: 'qr', qr: 'late' });
    ready.engines[0]!.emit({ type: 'ready', phone: '1', name: 'x' }); // restored without a scan event
    await renderQr('late');
    await settle();
    expect([ready.slot.state, ready.slot.qr, ready.qrs]).toEqual(['READY', null, []]);

    const stopped = setup();
    stopped.slot.connect();
    await settle();
    stopped.engines[0]!.emit({ type: 'qr', qr: 'late' });
    await stopped.slot.disconnect();
    await renderQr('late');
    await settle();
    expect([stopped.slot.state, stopped.slot.qr, stopped.qrs]).toEqual(['STOPPED', null, []]);
  });

  it('a LOGOUT while a QR is shown starts over without the old code', async () => {
    const ctx = setup();
    ctx.slot.connect();
    await settle();
    ctx.engines[0]!.emit({ type: 'qr', qr: 'old' });
    await vi.waitFor(() => expect(ctx.slot.state).toBe('QR'));
    ctx.engines[0]!.emit({ type: 'disconnected', reason: 'LOGOUT' });
    await settle();
    expect([ctx.slot.state, ctx.slot.qr, ctx.engines.length]).toEqual(['STARTING', null, 2]);
  });
});

describe('Slot supervisor: disconnect reasons', () => {
  it('a bare UNPAIRED starts over; a reason that only contains a terminal word restarts the session', async () => {
    const unpaired = await readySlot();
    unpaired.engines[0]!.emit({ type: 'disconnected', reason: 'UNPAIRED' });
    await settle();
    expect([unpaired.slot.state, unpaired.slot.phone, unpaired.slot.restarts]).toEqual(['STARTING', null, 0]);

    for (const reason of ['NOT_LOGOUT', 'CONFLICT_RESOLVED']) {
      const ctx = await readySlot();
      ctx.engines[0]!.emit({ type: 'disconnected', reason });
      await settle();
      expect([ctx.slot.restarts, ctx.slot.phone, ctx.engines.length], reason).toEqual([1, '15550002', 2]);
    }
  });
});

describe('Slot supervisor: memory guard', () => {
  it('exactly at the limit is fine; over it restarts with both sizes in MB', async () => {
    const ctx = await readySlot({ memoryLimitBytes: 2 * MiB });
    ctx.engines[0]!.pss = 2 * MiB;
    await vi.advanceTimersByTimeAsync(base.watchdogIntervalMs * 2);
    expect([ctx.slot.state, ctx.engines.length]).toEqual(['READY', 1]);
    ctx.engines[0]!.pss = 5 * MiB;
    await vi.advanceTimersByTimeAsync(base.watchdogIntervalMs);
    await settle();
    expect(ctx.slot.lastError).toBe('browser memory 5 MB over the 2 MB limit');
    expect(ctx.engines).toHaveLength(2);
  });
});

describe('Slot supervisor: log lines', () => {
  it('says which slot restarts and why, which gives up, and which WhatsApp ended', async () => {
    const ctx = await readySlot({ reconnectAttempts: 1 });
    ctx.engines[0]!.emit({ type: 'failure', error: 'crash A' });
    await settle();
    ctx.engines[1]!.emit({ type: 'failure', error: 'crash B' });
    await settle();
    expect(ctx.slot.state).toBe('FAILED');
    expect(ctx.lines).toContainEqual(expect.objectContaining({ level: 40, slot: 2, error: 'crash A', attempt: 1, immediate: true, msg: 'slot failed; restarting' }));
    expect(ctx.lines).toContainEqual(expect.objectContaining({ level: 50, slot: 2, error: 'crash B', msg: 'slot failed; giving up until the next connect' }));

    const ended = await readySlot();
    ended.engines[0]!.emit({ type: 'disconnected', reason: 'CONFLICT' });
    await settle();
    expect(ended.lines).toContainEqual(expect.objectContaining({ level: 30, slot: 2, reason: 'CONFLICT', msg: 'session ended by WhatsApp; waiting for a new QR' }));
  });
});
