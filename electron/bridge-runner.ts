// The desktop shell's embedded bridge, restartable in place: "Restart the bridge" (POST
// /api/restart, Settings) stops it, builds a new one from the settings as they are now, starts it
// and hands it to the shell again (window sign-in, tray, notifications). One restart at a time;
// quitting waits for a restart under way, so the slots are never left half-stopped.

export interface RunnableBridge {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly url: string;
}

export interface BridgeRunnerOptions<B extends RunnableBridge> {
  /** Build a bridge from the current settings; `onRestart` is its restart hook (BridgeOptions.onRestart). */
  create(onRestart: () => void): B;
  /** After every start, first and restarted: wire the shell to this bridge. */
  started(bridge: B, restarted: boolean): Promise<void> | void;
  /** A restart that could not start the new bridge (the old one is already stopped). */
  failed(err: unknown): void;
  /** Before a restart stops anything (e.g. read the settings again). Throwing refuses the restart: the running bridge stays. */
  beforeRestart?(): void;
  log?(message: string): void;
}

export class BridgeRunner<B extends RunnableBridge> {
  private bridge: B | undefined;
  private restarting: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: BridgeRunnerOptions<B>) {}

  /** The running bridge (undefined before start, or while a restart builds the next one). */
  get current(): B | undefined {
    return this.bridge;
  }

  async start(): Promise<B> {
    const bridge = this.opts.create(() => void this.restart());
    this.bridge = bridge;
    await bridge.start();
    await this.opts.started(bridge, false);
    return bridge;
  }

  /** Stop, rebuild, start. A second call while one runs joins it; after stop() it does nothing. */
  restart(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.restarting ??= this.cycle().finally(() => {
      this.restarting = null;
    });
    return this.restarting;
  }

  private async cycle(): Promise<void> {
    try {
      this.opts.beforeRestart?.();
    } catch (err) {
      this.opts.log?.(`restart refused, the bridge keeps running: ${(err as Error)?.message ?? err}`);
      return;
    }
    this.opts.log?.('restarting the bridge (asked from the admin app)');
    const old = this.bridge;
    this.bridge = undefined;
    await old?.stop();
    let next: B | undefined;
    try {
      next = this.opts.create(() => void this.restart());
      this.bridge = next;
      await next.start();
    } catch (err) {
      await next?.stop().catch(() => undefined); // a half-started bridge may already run browsers
      this.bridge = undefined;
      this.opts.failed(err);
      return;
    }
    if (this.stopped) return; // quit while it started: stop() stops it
    await this.opts.started(next, true);
    this.opts.log?.(`bridge restarted at ${next.url}`);
  }

  /** Quit: wait for a restart under way, then stop whatever runs. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.restarting?.catch(() => undefined);
    const bridge = this.bridge;
    this.bridge = undefined;
    await bridge?.stop();
  }
}
