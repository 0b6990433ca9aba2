import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineContext, EngineEvent, WhatsAppEngine } from '../engine/types.js';
import { Slot, type SlotHooks, type SupervisorPolicy } from './slot.js';

/** A controllable engine double: the test decides what it reports and how it answers. */
class FakeEngine implements Partial<WhatsAppEngine> {
  readonly kind = 'demo' as const;
  stopped = false;
  loggedOut = false;
  hang = false;
  rss: number | null = null;
  constructor(readonly ctx: EngineContext, private readonly failStart: string | null) {}
  emit(e: EngineEvent) {
    this.ctx.emit(e);
  }
  async start() {
    if (this.failStart) throw new Error(this.failStart);
  }
  async stop() {
    this.stopped = true;
  }
  async logout() {
    this.loggedOut = true;
  }
  getState() {
    return this.hang ? new Promise<string>(() => undefined) : Promise.resolve('CONNECTED');
  }
  processInfo() {
    return { pid: 123, rssBytes: this.rss === null ? null : this.rss * 4, pssBytes: this.rss };
  }
}

const policy: SupervisorPolicy = {
  reconnectAttempts: 2,
  reconnectDelayMs: 20,
  watchdogIntervalMs: 30,
  watchdogTimeoutMs: 40,
  qrMaxRefreshes: 2,
  memoryLimitBytes: 1000,
};

function setup(opts: { failStart?: string | null; policy?: Partial<SupervisorPolicy> } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slot-test-'));
  const engines: FakeEngine[] = [];
  const states: string[] = [];
  const wishes: boolean[] = [];
  const hooks: SlotHooks = {
    onState: (s) => states.push(s.state),
    onQr: () => undefined,
    onEngineEvent: () => undefined,
    onWish: (_s, c) => wishes.push(c),
    onRestart: () => undefined,
    onQrScanned: () => undefined,
  };
  const slot = new Slot(
    1,
    path.join(dir, 'slots', 'slot-1'),
    (ctx) => {
      const e = new FakeEngine(ctx, opts.failStart ?? null);
      engines.push(e);
      return e as unknown as WhatsAppEngine;
    },
    { ...policy, ...opts.policy },
    hooks,
    pino({ level: 'silent' }),
  );
  return { slot, engines, states, wishes };
}

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await tick(5);
  }
}

let cleanup: Slot[] = [];

/** A slot whose first engine has reported READY. */
async function readySlot() {
  const ctx = setup();
  cleanup.push(ctx.slot);
  ctx.slot.connect();
  await until(() => ctx.engines.length === 1);
  ctx.engines[0]!.emit({ type: 'ready', phone: '1', name: 'x' });
  await until(() => ctx.slot.ready);
  return ctx;
}
afterEach(async () => {
  await Promise.all(cleanup.map((s) => s.shutdown()));
  cleanup = [];
});

describe('Slot state machine', () => {
  it('goes STARTING → QR → AUTHENTICATED → READY and records the account', async () => {
    const { slot, engines, states, wishes } = setup();
    cleanup.push(slot);
    slot.connect();
    await until(() => engines.length === 1);
    engines[0]!.emit({ type: 'qr', qr: 'ref-1' });
    await until(() => slot.state === 'QR');
    expect(slot.qr?.png).toMatch(/^data:image\/png;base64,/);
    engines[0]!.emit({ type: 'authenticated' });
    engines[0]!.emit({ type: 'ready', phone: '15550001', name: 'Shop' });
    await until(() => slot.ready);
    expect(states).toEqual(['STARTING', 'QR', 'AUTHENTICATED', 'READY']);
    expect(slot.qr).toBeNull();
    expect([slot.phone, slot.name]).toEqual(['15550001', 'Shop']);
    expect(wishes).toEqual([true]);
  });

  it('stops refreshing QRs after the budget: FAILED, browser closed, QR expired', async () => {
    const { slot, engines } = setup();
    slot.connect();
    await until(() => engines.length === 1);
    for (const ref of ['a', 'b', 'c']) engines[0]!.emit({ type: 'qr', qr: ref });
    await until(() => slot.state === 'FAILED');
    expect(slot.qrExpired).toBe(true);
    expect(engines[0]!.stopped).toBe(true);
    expect(slot.lastError).toMatch(/QR not scanned/);
    // A manual connect starts over.
    slot.connect();
    await until(() => engines.length === 2);
    expect(slot.qrExpired).toBe(false);
    cleanup.push(slot);
  });

  it('restarts a failed engine up to the attempt budget, then FAILED with the last error', async () => {
    const { slot, engines, states } = setup({ failStart: 'chromium exploded' });
    slot.connect();
    await until(() => slot.state === 'FAILED');
    expect(engines).toHaveLength(3); // first try + 2 restarts
    expect(slot.restarts).toBe(2);
    expect(slot.lastError).toBe('chromium exploded');
    expect(states).toEqual(['STARTING', 'RECONNECTING', 'FAILED']);
  });

  it('restarts after a crash reported by the engine and becomes READY again', async () => {
    const { slot, engines } = await readySlot();
    engines[0]!.emit({ type: 'failure', error: 'browser disconnected' });
    await until(() => slot.state === 'RECONNECTING');
    expect(engines[0]!.stopped).toBe(true);
    await until(() => engines.length === 2);
    engines[1]!.emit({ type: 'ready', phone: '1', name: 'x' });
    await until(() => slot.ready);
    expect(slot.restarts).toBe(1);
  });

  it('relaunches a crashed browser at once; only the second failure in a row waits the reconnect delay', async () => {
    const ctx = setup({ policy: { reconnectDelayMs: 60_000, reconnectAttempts: 3 } });
    cleanup.push(ctx.slot);
    ctx.slot.connect();
    await until(() => ctx.engines.length === 1);
    ctx.engines[0]!.emit({ type: 'ready', phone: '1', name: 'x' });
    await until(() => ctx.slot.ready);
    ctx.engines[0]!.emit({ type: 'failure', error: 'browser process exited (SIGKILL)' });
    await until(() => ctx.engines.length === 2); // not after 60 s: now
    expect(ctx.engines[0]!.stopped).toBe(true);
    // It fails again before READY: this one waits for the delay.
    ctx.engines[1]!.emit({ type: 'failure', error: 'browser process exited (SIGKILL)' });
    await until(() => ctx.slot.state === 'RECONNECTING' && ctx.slot.restarts === 2);
    await tick(50);
    expect(ctx.engines).toHaveLength(2);
  });

  it('after READY again, the next crash is again relaunched at once', async () => {
    const ctx = setup({ policy: { reconnectDelayMs: 60_000, reconnectAttempts: 3 } });
    cleanup.push(ctx.slot);
    ctx.slot.connect();
    for (let i = 0; i < 3; i++) {
      await until(() => ctx.engines.length === i + 1);
      ctx.engines[i]!.emit({ type: 'ready', phone: '1', name: 'x' });
      await until(() => ctx.slot.ready);
      ctx.engines[i]!.emit({ type: 'failure', error: 'page crashed' });
    }
    await until(() => ctx.engines.length === 4);
    expect(ctx.slot.restarts).toBe(3);
  });

  it('a page the engine is reloading keeps its browser: RECONNECTING, then READY on the same engine', async () => {
    const { slot, engines, states } = await readySlot();
    engines[0]!.emit({ type: 'recovering', reason: 'page crashed: Page crashed!; reloading the page' });
    await until(() => slot.state === 'RECONNECTING');
    expect(slot.lastError).toMatch(/reloading the page/);
    expect(slot.restarts).toBe(1);
    engines[0]!.emit({ type: 'ready', phone: '1', name: 'x' });
    await until(() => slot.ready);
    await tick(30);
    // Not stopped and not relaunched: the reload was the recovery.
    expect(engines).toHaveLength(1);
    expect(engines[0]!.stopped).toBe(false);
    expect(states.slice(-2)).toEqual(['RECONNECTING', 'READY']);
    // A failure after that is still the supervisor's to handle.
    engines[0]!.emit({ type: 'failure', error: 'page crashed again' });
    await until(() => engines.length === 2);
  });

  it('detects a hung page with the watchdog and restarts it', async () => {
    const { slot, engines } = await readySlot();
    engines[0]!.hang = true;
    await until(() => engines.length === 2);
    expect(slot.lastError).toMatch(/hung page/);
  });

  it('restarts a browser over the memory limit', async () => {
    const { slot, engines } = await readySlot();
    engines[0]!.rss = 5000;
    await until(() => engines.length === 2);
    expect(slot.lastError).toMatch(/memory/);
  });

  it('judges memory by PSS, not the summed RSS that counts shared pages per process', async () => {
    const { slot, engines } = await readySlot();
    engines[0]!.rss = 500; // PSS 500 under the 1000 limit; RSS reads 2000
    await tick(200);
    expect(engines).toHaveLength(1);
    expect(slot.ready).toBe(true);
  });

  it('LOGOUT never reconnects the old session: it starts over into a fresh QR', async () => {
    const { slot, engines } = await readySlot();
    engines[0]!.emit({ type: 'disconnected', reason: 'LOGOUT' });
    await until(() => engines.length === 2);
    expect(slot.restarts).toBe(0);
    expect([slot.phone, slot.name]).toEqual([null, null]);
    expect(slot.state).toBe('STARTING');
    engines[1]!.emit({ type: 'qr', qr: 'fresh' });
    await until(() => slot.state === 'QR');
  });

  it('CONFLICT stops the slot as FAILED without reconnecting', async () => {
    const { slot, engines } = setup();
    slot.connect();
    await until(() => engines.length === 1);
    engines[0]!.emit({ type: 'disconnected', reason: 'CONFLICT' });
    await until(() => slot.state === 'FAILED');
    await tick(60);
    expect(engines).toHaveLength(1);
  });

  it('disconnect stops the engine and keeps it stopped; late events are ignored', async () => {
    const { slot, engines, wishes } = setup();
    slot.connect();
    await until(() => engines.length === 1);
    await slot.disconnect();
    expect(engines[0]!.stopped).toBe(true);
    engines[0]!.emit({ type: 'ready', phone: '1', name: 'x' });
    await tick(20);
    expect(slot.state).toBe('STOPPED');
    expect(wishes).toEqual([true, false]);
  });

  it('disconnect with logout logs the account out', async () => {
    const { slot, engines } = setup();
    slot.connect();
    await until(() => engines.length === 1);
    engines[0]!.emit({ type: 'ready', phone: '1', name: 'x' });
    await until(() => slot.ready);
    await slot.disconnect(true);
    expect(engines[0]!.loggedOut).toBe(true);
    expect([slot.phone, slot.name]).toEqual([null, null]);
  });
});

describe('Slot races', () => {
  it('a QR still rendering when the scan lands does not pull a READY slot back to QR', async () => {
    const { slot, engines, states } = setup();
    cleanup.push(slot);
    slot.connect();
    await until(() => engines.length === 1);
    engines[0]!.emit({ type: 'qr', qr: 'late' });
    engines[0]!.emit({ type: 'authenticated' });
    engines[0]!.emit({ type: 'ready', phone: '1', name: 'x' });
    await tick(100);
    expect(slot.state).toBe('READY');
    expect(states).not.toContain('QR');
  });
});
