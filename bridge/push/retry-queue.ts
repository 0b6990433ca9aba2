// A small job queue: bounded concurrency, bounded length, retries with exponential backoff and
// jitter, and a per-attempt deadline so a hung remote never holds a worker for good.

export interface RetryQueueOptions<J> {
  concurrency: number;
  /** Jobs waiting (not running, not sleeping before a retry) beyond this are refused. */
  maxQueued: number;
  /** Attempts in total, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  attemptTimeoutMs: number;
  perform(job: J): Promise<void>;
  shouldRetry(err: unknown): boolean;
  /** Called before each retry is scheduled. */
  onRetry?(job: J, err: unknown, attempts: number): void;
  /** Called once per job: `err` is null on success. */
  onSettled(job: J, err: unknown, attempts: number): void;
}

export interface RetryQueue<J> {
  /** False when the queue is full or closed (the job is not taken). */
  push(job: J): boolean;
  /** Jobs queued, running or waiting to retry. */
  readonly pending: number;
  /** Resolves true once everything settled, false if `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Refuse new jobs and further retries; jobs sleeping before a retry settle now with `err`. Queued ones still run. */
  close(err: Error): void;
  /** Forget jobs that have not started (settled with `err`). */
  abandon(err: Error): void;
}

export class AttemptTimeoutError extends Error {
  readonly code = 'app/network-timeout';
}

interface Entry<J> {
  job: J;
  attempts: number;
}

export function createRetryQueue<J>(opts: RetryQueueOptions<J>): RetryQueue<J> {
  const queued: Entry<J>[] = [];
  const sleeping = new Map<NodeJS.Timeout, Entry<J>>();
  let running = 0;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  const pendingCount = () => queued.length + sleeping.size + running;

  function checkIdle(): void {
    if (pendingCount() > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function backoff(attempts: number): number {
    const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempts - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  function withDeadline(promise: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AttemptTimeoutError(`no answer within ${opts.attemptTimeoutMs} ms`)), opts.attemptTimeoutMs);
      timer.unref();
    });
    return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
  }

  function settle(entry: Entry<J>, err: unknown): void {
    try {
      opts.onSettled(entry.job, err, entry.attempts);
    } catch {
      // A listener's bug must not wedge the queue.
    }
  }

  async function run(entry: Entry<J>): Promise<void> {
    entry.attempts++;
    try {
      await withDeadline(Promise.resolve().then(() => opts.perform(entry.job)));
      settle(entry, null);
    } catch (err) {
      if (!closed && entry.attempts < opts.maxAttempts && opts.shouldRetry(err)) {
        try {
          opts.onRetry?.(entry.job, err, entry.attempts);
        } catch {
          // Only a hook; the retry goes ahead.
        }
        const timer = setTimeout(() => {
          sleeping.delete(timer);
          queued.unshift(entry);
          pump();
        }, backoff(entry.attempts));
        sleeping.set(timer, entry);
      } else {
        settle(entry, err);
      }
    }
  }

  function pump(): void {
    while (running < opts.concurrency && queued.length > 0) {
      const entry = queued.shift()!;
      running++;
      void run(entry).finally(() => {
        running--;
        pump();
        checkIdle();
      });
    }
    checkIdle();
  }

  return {
    push(job) {
      if (closed || queued.length >= opts.maxQueued) return false;
      queued.push({ job, attempts: 0 });
      pump();
      return true;
    },
    get pending() {
      return pendingCount();
    },
    drain(timeoutMs) {
      if (pendingCount() === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        idleWaiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    close(err) {
      closed = true;
      for (const [timer, entry] of sleeping) {
        clearTimeout(timer);
        settle(entry, err);
      }
      sleeping.clear();
      checkIdle();
    },
    abandon(err) {
      closed = true;
      for (const entry of queued.splice(0)) settle(entry, err);
      checkIdle();
    },
  };
}
