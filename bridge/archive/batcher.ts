// Collects write operations and hands them to the backend in batches: at most every `windowMs`,
// or at once when `maxBatch` are waiting. Up to `maxInFlight` batches are handed over at a time
// (1 unless the backend itself keeps order, as the SQLite worker's FIFO does).

/** Default longest wait of a write before it is committed: what a crash can lose. */
export const DEFAULT_BATCH_WINDOW_MS = 200;

export interface BatcherOptions<T> {
  /** Longest a write waits in memory (what a crash can lose). */
  windowMs: number;
  maxBatch: number;
  maxInFlight?: number;
  write: (batch: T[]) => Promise<void>;
  /** A failed batch: the backend decides (spool, log); the batcher moves on. */
  onError: (err: unknown, batch: T[]) => void;
}

export class WriteBatcher<T> {
  private queue: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: BatcherOptions<T>) {}

  /** Operations not yet handed to the backend, plus those being written. */
  get size(): number {
    return this.queue.length;
  }

  push(item: T): void {
    this.queue.push(item);
    if (this.queue.length >= this.opts.maxBatch) {
      // Hand a full batch over now, so the backend works while the caller keeps producing.
      this.dispatch(false);
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.dispatch(true);
      }, this.opts.windowMs);
      this.timer.unref?.();
    }
  }

  /** Start as many writes as allowed; `all` also sends a last partial batch. */
  private dispatch(all: boolean): void {
    const max = this.opts.maxInFlight ?? 1;
    while (this.inFlight < max && this.queue.length > 0 && (all || this.queue.length >= this.opts.maxBatch)) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.inFlight++;
      this.opts
        .write(batch)
        .catch((err: unknown) => this.opts.onError(err, batch))
        .finally(() => {
          this.inFlight--;
          if (this.queue.length > 0) this.dispatch(this.timer === null || this.idleWaiters.length > 0);
          else if (this.inFlight === 0) this.wakeIdle();
        });
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Write everything queued so far (and anything that arrives meanwhile). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.dispatch(true);
    return done;
  }
}
