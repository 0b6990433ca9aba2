// Collects write operations and hands them to the backend in batches: at most every `windowMs`,
// or at once when `maxBatch` are waiting. One batch is in flight at a time, so order is kept.
/** Default longest wait of a write before it is committed: what a crash can lose. */
export const DEFAULT_BATCH_WINDOW_MS = 200;

export interface BatcherOptions<T> {
  /** Longest a write waits in memory (what a crash can lose). */
  windowMs: number;
  maxBatch: number;
  write: (batch: T[]) => Promise<void>;
  /** A failed batch: the backend decides (spool, log); the batcher moves on. */
  onError: (err: unknown, batch: T[]) => void;
}

export class WriteBatcher<T> {
  private queue: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly opts: BatcherOptions<T>) {}

  get size(): number {
    return this.queue.length;
  }

  push(item: T): void {
    this.queue.push(item);
    if (this.queue.length >= this.opts.maxBatch) this.kick(0);
    else this.kick(this.opts.windowMs);
  }

  private kick(delay: number): void {
    if (this.running) return; // the running drain picks the new items up
    if (this.timer && delay > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, delay);
    this.timer.unref?.();
  }

  /** Write everything queued so far (and anything that arrives meanwhile). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    return this.drain();
  }

  private drain(): Promise<void> {
    if (!this.running) {
      this.running = (async () => {
        try {
          while (this.queue.length > 0) {
            const batch = this.queue.splice(0, this.opts.maxBatch);
            try {
              await this.opts.write(batch);
            } catch (err) {
              this.opts.onError(err, batch);
            }
          }
        } finally {
          this.running = null;
        }
      })();
    }
    return this.running;
  }
}
