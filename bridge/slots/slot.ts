// One WhatsApp account: its state machine (STOPPED → STARTING → QR → AUTHENTICATED → READY,
// RECONNECTING, FAILED) and its supervisor (restart policy, watchdog, memory guard, QR budget).
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { BridgeError, errorText, type SlotState } from '../domain/index.js';
import type { EngineEvent, EngineFactory, WhatsAppEngine } from '../engine/types.js';
import { renderQr, type QrImage } from './qr.js';

/** Disconnect reasons after which reconnecting would be wrong (FACTS.md). */
const TERMINAL_REASONS = /^(LOGOUT|UNPAIRED.*|CONFLICT|TOS_BLOCK|SMB_TOS_BLOCK|PROXYBLOCK|DEPRECATED_VERSION)$/;

export interface SupervisorPolicy {
  reconnectAttempts: number;
  reconnectDelayMs: number;
  watchdogIntervalMs: number;
  watchdogTimeoutMs: number;
  qrMaxRefreshes: number;
  /** 0 = off. */
  memoryLimitBytes: number;
}

export interface SlotHooks {
  onState(slot: Slot): void;
  onQr(slot: Slot, qr: QrImage): void;
  /** Message, ack, vote, edit, revoke and chat events, passed through. */
  onEngineEvent(slot: Slot, event: EngineEvent): void;
  /** The owner's wish changed (connect / disconnect): persisted so a restart restores it. */
  onWish(slot: Slot, connected: boolean): void;
  onRestart(slot: Slot): void;
  onQrScanned(slot: Slot): void;
}

const ACTIVE: SlotState[] = ['STARTING', 'QR', 'AUTHENTICATED', 'READY', 'RECONNECTING'];

export class Slot {
  state: SlotState = 'STOPPED';
  since = Date.now();
  lastError: string | null = null;
  restarts = 0;
  phone: string | null = null;
  name: string | null = null;
  qr: QrImage | null = null;
  /** Set when the QR budget ran out: GET …/qr answers 410. */
  qrExpired = false;

  private engine: WhatsAppEngine | null = null;
  private attempts = 0;
  private qrCount = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private watchdogTimer: NodeJS.Timeout | null = null;
  /** Bumped on every launch so late events of a replaced engine are ignored. */
  private generation = 0;
  private readyWaiters: (() => void)[] = [];
  /** READY since the last connect, and not logged out or stopped since. */
  private wasReady = false;
  /** A disconnect's engine stop under way (with its stop snapshot): a second stop waits for it. */
  private stopping: Promise<void> | null = null;

  constructor(
    readonly number: number,
    readonly dir: string,
    private readonly factory: EngineFactory,
    private readonly policy: SupervisorPolicy,
    private readonly hooks: SlotHooks,
    private readonly logger: Logger,
  ) {}

  get active(): boolean {
    return ACTIVE.includes(this.state);
  }

  get ready(): boolean {
    return this.state === 'READY';
  }

  /**
   * Linked and on its way back: it was READY, and is restarting after a crash, hang or lost
   * connection. Not when stopped, failed for good, or waiting for a QR scan.
   */
  get reconnecting(): boolean {
    return this.wasReady && (this.state === 'RECONNECTING' || this.state === 'STARTING' || this.state === 'AUTHENTICATED');
  }

  /** The engine, only while READY; otherwise NOT_CONNECTED. */
  requireEngine(): WhatsAppEngine {
    if (!this.ready || !this.engine) {
      throw new BridgeError('NOT_CONNECTED', `slot ${this.number} is not ready (${this.state.toLowerCase()})`);
    }
    return this.engine;
  }

  processInfo() {
    return this.engine?.processInfo() ?? { pid: null, rssBytes: null };
  }

  /** Start (or keep) the slot. A slot already starting or ready is left alone. */
  connect(): void {
    this.hooks.onWish(this, true);
    if (this.active) return;
    this.attempts = 0;
    this.qrExpired = false;
    this.lastError = null;
    void this.launch();
  }

  /** Close the browser and stop reconnecting; with logout, also end the WhatsApp session. */
  async disconnect(logout = false): Promise<void> {
    this.hooks.onWish(this, false);
    const engine = this.shutdownSupervision();
    this.qr = null;
    this.setState('STOPPED');
    if (logout) this.forgetAccount();
    // Nothing left to stop, but an earlier stop may still be closing the browser and storing its
    // snapshot: this one returns only after it (in a cluster the lease is released on return).
    if (!engine) return this.stopping ?? undefined;
    const stop = this.stopEngine(engine, logout);
    const settled = stop.then(
      () => undefined,
      () => undefined,
    );
    this.stopping = settled;
    try {
      await stop;
    } finally {
      if (this.stopping === settled) this.stopping = null;
    }
  }

  private async stopEngine(engine: WhatsAppEngine, logout: boolean): Promise<void> {
    if (logout) {
      try {
        await engine.logout();
      } catch (err) {
        this.logger.warn({ slot: this.number, err: String(err) }, 'logout failed; session files removed anyway');
      }
    }
    await engine.stop();
  }

  /** Stop on bridge shutdown: the wish is kept, so the next start restores the slot. */
  async shutdown(): Promise<void> {
    const engine = this.shutdownSupervision();
    if (engine) await engine.stop().catch(() => undefined);
  }

  /** Resolves when READY (or rejects after the timeout). */
  waitReady(timeoutMs: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`slot ${this.number} not ready after ${timeoutMs} ms`)), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** The account is gone (logged out): its number and name no longer describe this slot. */
  private forgetAccount(): void {
    this.wasReady = false;
    this.phone = null;
    this.name = null;
  }

  private shutdownSupervision(): WhatsAppEngine | null {
    this.generation++;
    this.clearTimers();
    const engine = this.engine;
    this.engine = null;
    return engine;
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    this.retryTimer = this.watchdogTimer = null;
  }

  private setState(state: SlotState): void {
    if (state === this.state) return;
    this.state = state;
    if (state === 'READY') this.wasReady = true;
    else if (state === 'STOPPED' || state === 'FAILED' || state === 'QR') this.wasReady = false;
    this.since = Date.now();
    if (state !== 'QR') this.qr = state === 'STARTING' || state === 'RECONNECTING' ? null : this.qr;
    if (state === 'READY') {
      this.qr = null;
      for (const w of this.readyWaiters.splice(0)) w();
    }
    this.hooks.onState(this);
  }

  private async launch(): Promise<void> {
    const generation = ++this.generation;
    this.clearTimers();
    this.qrCount = 0;
    this.setState(this.attempts > 0 ? 'RECONNECTING' : 'STARTING');
    fs.mkdirSync(this.dir, { recursive: true });
    const engine = this.factory({
      slot: this.number,
      slotDir: this.dir,
      dataDir: path.dirname(path.dirname(this.dir)),
      logger: this.logger.child({ slot: this.number }),
      emit: (event) => {
        if (generation === this.generation) void this.onEvent(event);
      },
    });
    this.engine = engine;
    try {
      await engine.start();
    } catch (err) {
      if (generation === this.generation) this.fail(errorText(err));
      return;
    }
    if (generation === this.generation) this.startWatchdog(generation);
  }

  private async onEvent(event: EngineEvent): Promise<void> {
    switch (event.type) {
      case 'qr':
        return this.onQr(event.qr);
      case 'authenticated':
        if (this.state === 'QR') this.hooks.onQrScanned(this);
        this.setState('AUTHENTICATED');
        return;
      case 'ready':
        this.attempts = 0;
        this.lastError = null;
        this.phone = event.phone;
        this.name = event.name;
        this.setState('READY');
        return;
      case 'disconnected':
        return this.onDisconnected(event.reason);
      case 'failure':
        return this.fail(event.error);
      case 'recovering':
        // The engine reloads a crashed page itself; its 'ready' (or a failure) follows.
        this.lastError = event.reason;
        this.restarts++;
        this.hooks.onRestart(this);
        this.logger.warn({ slot: this.number, reason: event.reason }, 'page crashed; the engine reloads it');
        this.setState('RECONNECTING');
        return;
      default:
        this.hooks.onEngineEvent(this, event);
    }
  }

  private async onQr(raw: string): Promise<void> {
    this.qrCount++;
    if (this.qrCount > this.policy.qrMaxRefreshes) {
      // Nobody is scanning: stop the browser rather than refresh forever.
      const engine = this.shutdownSupervision();
      this.qr = null;
      this.qrExpired = true;
      this.lastError = `QR not scanned after ${this.policy.qrMaxRefreshes} codes; connect again for a new QR`;
      this.setState('FAILED');
      await engine?.stop().catch(() => undefined);
      return;
    }
    const generation = this.generation;
    const image = await renderQr(raw);
    // Rendering is async: a scan may have landed meanwhile, and a stale QR must not undo it.
    if (generation !== this.generation || this.state === 'AUTHENTICATED' || this.state === 'READY') return;
    this.qr = image;
    this.setState('QR');
    this.hooks.onQr(this, image);
  }

  private async onDisconnected(reason: string): Promise<void> {
    if (TERMINAL_REASONS.test(reason)) {
      this.logger.info({ slot: this.number, reason }, 'session ended by WhatsApp; waiting for a new QR');
      this.lastError = `disconnected: ${reason}`;
      const engine = this.shutdownSupervision();
      await engine?.stop().catch(() => undefined);
      // A logged-out account needs a fresh pairing: start again straight into a new QR.
      if (reason === 'LOGOUT' || reason.startsWith('UNPAIRED')) {
        this.forgetAccount();
        this.attempts = 0;
        void this.launch();
      } else {
        this.setState('FAILED');
      }
      return;
    }
    this.fail(`disconnected: ${reason}`);
  }

  /**
   * A crash, hang or start failure: restart, up to the attempt budget. The first failure in a row
   * restarts at once (a killed browser or renderer should cost seconds, not the reconnect delay);
   * only a second one in a row waits `reconnectDelayMs`, so a crash loop still ends in FAILED slowly.
   */
  private fail(error: string): void {
    this.lastError = error;
    const engine = this.shutdownSupervision();
    const stopped = engine?.stop().catch(() => undefined) ?? Promise.resolve();
    if (this.attempts >= this.policy.reconnectAttempts) {
      this.logger.error({ slot: this.number, error }, 'slot failed; giving up until the next connect');
      this.setState('FAILED');
      return;
    }
    const firstInARow = this.attempts === 0;
    this.attempts++;
    this.restarts++;
    this.hooks.onRestart(this);
    this.logger.warn({ slot: this.number, error, attempt: this.attempts, immediate: firstInARow }, 'slot failed; restarting');
    this.setState('RECONNECTING');
    const generation = this.generation;
    if (firstInARow) {
      // The old browser is closed first: its profile lock must be free for the new one.
      void stopped.then(() => {
        if (generation === this.generation) void this.launch();
      });
      return;
    }
    this.retryTimer = setTimeout(() => {
      if (generation === this.generation) void this.launch();
    }, this.policy.reconnectDelayMs);
  }

  private startWatchdog(generation: number): void {
    this.watchdogTimer = setInterval(() => void this.probe(generation), this.policy.watchdogIntervalMs);
    this.watchdogTimer.unref();
  }

  /** A hung page looks alive; only an answer within the deadline proves it is not. */
  private async probe(generation: number): Promise<void> {
    const engine = this.engine;
    if (!engine || generation !== this.generation) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to getState within ${this.policy.watchdogTimeoutMs} ms (hung page)`)), this.policy.watchdogTimeoutMs);
    });
    try {
      await Promise.race([engine.getState(), deadline]);
    } catch (err) {
      if (generation === this.generation) this.fail(errorText(err));
      return;
    } finally {
      clearTimeout(timer);
    }
    // PSS where known: summed RSS counts Chromium's shared pages once per process (about 4×).
    const info = engine.processInfo();
    const used = info.pssBytes ?? info.rssBytes;
    if (this.policy.memoryLimitBytes > 0 && used != null && used > this.policy.memoryLimitBytes && generation === this.generation) {
      this.attempts = 0; // a memory restart is routine, not a failure streak
      this.fail(`browser memory ${Math.round(used / 1048576)} MB over the ${Math.round(this.policy.memoryLimitBytes / 1048576)} MB limit`);
    }
  }
}
