import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineContext, EngineEvent, WhatsAppEngine } from '../engine/types.js';
import { Slot, type SlotHooks, type SupervisorPolicy } from './slot.js';
import { renderQr } from './qr.js';

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
  /** The other hooks, in the order they were called. */
  const calls: string[] = [];
  const events: EngineEvent[] = [];
  const hooks: SlotHooks = {
    onState: (s) => states.push(s.state),
    onQr: () => void calls.push('qr'),
    onEngineEvent: (_s, e) => void events.push(e),
    onWish: (_s, c) => wishes.push(c),
    onRestart: (s) => void calls.push(`restart ${s.restarts}`),
    onQrScanned: () => void calls.push('scanned'),
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
  return { slot, engines, states, wishes, calls, events };
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
    await renderQr('late'); // as long as the slot's own rendering of that QR takes
    await tick();
    expect(slot.state).toBe('READY');
    expect(states).not.toContain('QR');
  });
});

describe('Slot: what it tells the rest of the bridge', () => {
  it('answers NOT_CONNECTED until READY, names its state, and passes other engine events through', async () => {
    const { slot, engines, calls, events, wishes } = setup();
    cleanup.push(slot);
    expect(slot.processInfo()).toEqual({ pid: null, rssBytes: null });
    expect(() => slot.requireEngine()).toThrow(expect.objectContaining({ code: 'NOT_CONNECTED', message: 'slot 1 is not ready (stopped)' }));
    slot.connect();
    await until(() => engines.length === 1);
    expect(() => slot.requireEngine()).toThrow('slot 1 is not ready (starting)');
    engines[0]!.emit({ type: 'qr', qr: 'ref' });
    await until(() => slot.state === 'QR');
    engines[0]!.emit({ type: 'authenticated' });
    await until(() => slot.state === 'AUTHENTICATED');
    expect(slot.qr).not.toBeNull(); // kept until READY: the card shows it while the phone links
    engines[0]!.emit({ type: 'ready', phone: '15550001', name: 'Shop' });
    await until(() => slot.ready);
    expect(calls).toEqual(['qr', 'scanned']);
    expect(slot.requireEngine()).toBe(engines[0]);
    expect(slot.processInfo()).toEqual({ pid: 123, rssBytes: null, pssBytes: null });
    const edit: EngineEvent = { type: 'message_edit', chatId: 'c', messageId: 'm', body: 'new' };
    engines[0]!.emit(edit);
    await until(() => events.length === 1);
    expect(events).toEqual([edit]);
    // Connecting a ready slot changes nothing but the wish.
    slot.connect();
    await tick(20);
    expect(engines).toHaveLength(1);
    expect(wishes).toEqual([true, true]);
  });

  it('a restored session (authenticated without a QR) is not a scan', async () => {
    const { slot, engines, calls, states } = setup();
    cleanup.push(slot);
    slot.connect();
    await until(() => engines.length === 1);
    engines[0]!.emit({ type: 'authenticated' });
    await until(() => slot.state === 'AUTHENTICATED');
    expect(calls).toEqual([]);
    expect(states).toEqual(['STARTING', 'AUTHENTICATED']);
  });

  it('waitReady resolves on READY, at once when ready, and rejects after its timeout', async () => {
    const { slot, engines } = setup();
    cleanup.push(slot);
    await expect(slot.waitReady(30)).rejects.toThrow('slot 1 not ready after 30 ms');
    slot.connect();
    await until(() => engines.length === 1);
    const waiting = slot.waitReady(10_000);
    engines[0]!.emit({ type: 'ready', phone: '1', name: 'x' });
    await waiting;
    await slot.waitReady(0);
  });

  it('is "reconnecting" only while a linked slot is on its way back', async () => {
    const { slot, engines } = setup({ policy: { reconnectDelayMs: 60_000 } });
    cleanup.push(slot);
    slot.connect();
    await until(() => engines.length === 1);
    expect(slot.reconnecting).toBe(false); // starting, never linked
    engines[0]!.emit({ type: 'ready', phone: '1', name: 'x' });
    await until(() => slot.ready);
    expect(slot.reconnecting).toBe(false);
    engines[0]!.emit({ type: 'failure', error: 'page crashed' });
    await until(() => slot.state === 'RECONNECTING');
    expect(slot.reconnecting).toBe(true);
    await until(() => engines.length === 2 && slot.state === 'RECONNECTING');
    engines[1]!.emit({ type: 'authenticated' });
    await until(() => slot.state === 'AUTHENTICATED');
    expect(slot.reconnecting).toBe(true);
    await slot.disconnect();
    expect(slot.reconnecting).toBe(false);

    // WhatsApp wants a new QR after the restart: the link is gone, nothing to wait for.
    const relinked = await readySlot();
    relinked.engines[0]!.emit({ type: 'failure', error: 'page crashed' });
    await until(() => relinked.engines.length === 2);
    relinked.engines[1]!.emit({ type: 'qr', qr: 'again' });
    await until(() => relinked.slot.state === 'QR');
    expect(relinked.slot.reconnecting).toBe(false);
    relinked.engines[1]!.emit({ type: 'authenticated' });
    await until(() => relinked.slot.state === 'AUTHENTICATED');
    expect(relinked.slot.reconnecting).toBe(false);
  });

  it('counts each restart and tells the restart hook; a restart clears the QR', async () => {
    const { slot, engines, calls } = setup();
    cleanup.push(slot);
    slot.connect();
    await until(() => engines.length === 1);
    engines[0]!.emit({ type: 'qr', qr: 'ref' });
    await until(() => slot.state === 'QR');
    engines[0]!.emit({ type: 'failure', error: 'renderer gone' });
    await until(() => engines.length === 2);
    expect(slot.qr).toBeNull();
    expect(calls).toEqual(['qr', 'restart 1']);
    expect(slot.restarts).toBe(1);
    expect(slot.lastError).toBe('renderer gone');
  });

  it('UNPAIRED starts over like LOGOUT; TOS_BLOCK stops like CONFLICT; other reasons restart', async () => {
    const unpaired = await readySlot();
    unpaired.engines[0]!.emit({ type: 'disconnected', reason: 'UNPAIRED_IDLE' });
    await until(() => unpaired.engines.length === 2);
    expect(unpaired.slot.phone).toBeNull();
    expect(unpaired.slot.restarts).toBe(0);
    expect(unpaired.slot.lastError).toBe('disconnected: UNPAIRED_IDLE');

    const blocked = await readySlot();
    blocked.engines[0]!.emit({ type: 'disconnected', reason: 'TOS_BLOCK' });
    await until(() => blocked.slot.state === 'FAILED');
    expect(blocked.engines[0]!.stopped).toBe(true);
    expect(blocked.slot.lastError).toBe('disconnected: TOS_BLOCK');
    expect(blocked.slot.phone).toBe('1'); // the account is still this one: only WhatsApp stopped it

    const dropped = await readySlot();
    dropped.engines[0]!.emit({ type: 'disconnected', reason: 'NAVIGATION' });
    await until(() => dropped.engines.length === 2);
    expect(dropped.slot.restarts).toBe(1);
    expect(dropped.slot.lastError).toBe('disconnected: NAVIGATION');
  });

  it('with the memory limit at 0 never restarts for memory', async () => {
    const { slot, engines } = setup({ policy: { memoryLimitBytes: 0 } });
    cleanup.push(slot);
    slot.connect();
    await until(() => engines.length === 1);
    engines[0]!.emit({ type: 'ready', phone: '1', name: 'x' });
    engines[0]!.rss = 10 ** 12;
    await tick(200); // several watchdog rounds (every 30 ms)
    expect(engines).toHaveLength(1);
    expect(slot.ready).toBe(true);
  });

  it('shutdown stops the browser but keeps the wish (the next start restores the slot)', async () => {
    const { slot, engines, wishes } = await readySlot();
    await slot.shutdown();
    expect(engines[0]!.stopped).toBe(true);
    expect(wishes).toEqual([true]);
    // Its late events are ignored.
    engines[0]!.emit({ type: 'failure', error: 'closed' });
    await tick(50);
    expect(engines).toHaveLength(1);
  });

  it('says how many QR codes went unscanned', async () => {
    const { slot, engines } = setup();
    slot.connect();
    await until(() => engines.length === 1);
    for (const ref of ['a', 'b', 'c']) engines[0]!.emit({ type: 'qr', qr: ref });
    await until(() => slot.state === 'FAILED');
    expect(slot.lastError).toBe('QR not scanned after 2 codes; connect again for a new QR');
    expect(slot.qr).toBeNull();
  });
});
