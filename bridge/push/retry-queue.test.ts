import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRetryQueue, type RetryQueueOptions } from './retry-queue.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function queue(over: Partial<RetryQueueOptions<number>>) {
  const settled: { job: number; err: unknown; attempts: number }[] = [];
  const q = createRetryQueue<number>({
    concurrency: 2,
    maxQueued: 100,
    maxAttempts: 3,
    baseDelayMs: 5,
    maxDelayMs: 50,
    attemptTimeoutMs: 1000,
    perform: async () => undefined,
    shouldRetry: () => true,
    onSettled: (job, err, attempts) => settled.push({ job, err, attempts }),
    ...over,
  });
  return { q, settled };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Times (fake clock) at which a job that always fails transiently was attempted. */
async function attemptTimes(random: number, maxAttempts: number): Promise<number[]> {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(random);
  const at: number[] = [];
  const start = Date.now();
  const { q, settled } = queue({
    baseDelayMs: 100,
    maxDelayMs: 1000,
    maxAttempts,
    perform: async () => {
      at.push(Date.now() - start);
      throw new Error('transient');
    },
  });
  q.push(1);
  for (let i = 0; i < 1000 && settled.length === 0; i++) await vi.advanceTimersByTimeAsync(10);
  expect(settled).toHaveLength(1);
  return at;
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('createRetryQueue', () => {
  it('waits between attempts: exponential from baseDelayMs, capped at maxDelayMs, jitter within the upper half', async () => {
    // Least jitter: half of each ceiling (100, 200, 400, 800, then the 1000 cap).
    expect(gaps(await attemptTimes(0, 7))).toEqual([50, 100, 200, 400, 500, 500]);
    // Most jitter: the ceiling itself, never above the cap.
    expect(gaps(await attemptTimes(0.99999, 7))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('never runs more than `concurrency` jobs at once', async () => {
    let running = 0;
    let peak = 0;
    const { q, settled } = queue({
      perform: async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(10);
        running--;
      },
    });
    for (let i = 0; i < 10; i++) q.push(i);
    expect(await q.drain(2000)).toBe(true);
    expect(peak).toBe(2);
    expect(settled.map((s) => s.err)).toEqual(Array(10).fill(null));
  });

  it('retries transient failures with backoff, and stops at maxAttempts or a permanent error', async () => {
    const calls = new Map<number, number>();
    const { q, settled } = queue({
      perform: async (job) => {
        const n = (calls.get(job) ?? 0) + 1;
        calls.set(job, n);
        if (job === 1 && n < 3) throw new Error('transient');
        if (job === 2) throw new Error('transient');
        if (job === 3) throw new Error('permanent');
      },
      shouldRetry: (err) => (err as Error).message === 'transient',
    });
    q.push(1);
    q.push(2);
    q.push(3);
    expect(await q.drain(2000)).toBe(true);
    const byJob = Object.fromEntries(settled.map((s) => [s.job, s]));
    expect(byJob[1]).toMatchObject({ err: null, attempts: 3 });
    expect(byJob[2]).toMatchObject({ attempts: 3 });
    expect((byJob[2]!.err as Error).message).toBe('transient');
    expect(byJob[3]).toMatchObject({ attempts: 1 });
  });

  it('times out an attempt that never answers', async () => {
    const { q, settled } = queue({ attemptTimeoutMs: 30, maxAttempts: 1, perform: () => new Promise<void>(() => undefined) });
    q.push(1);
    expect(await q.drain(1000)).toBe(true);
    expect(settled[0]!.err).toMatchObject({ code: 'app/network-timeout' });
  });

  it('refuses jobs beyond maxQueued and after close', async () => {
    const { q } = queue({ concurrency: 1, maxQueued: 2, perform: () => sleep(20) });
    expect([q.push(1), q.push(2), q.push(3), q.push(4)]).toEqual([true, true, true, false]);
    q.close(new Error('closed'));
    expect(q.push(5)).toBe(false);
    expect(await q.drain(1000)).toBe(true);
  });

  it('close settles jobs waiting to retry; abandon settles jobs not started', async () => {
    const { q, settled } = queue({ concurrency: 1, baseDelayMs: 10_000, maxDelayMs: 10_000, perform: async (job) => {
      if (job === 1) throw new Error('transient');
      await sleep(50);
    } });
    q.push(1);
    await sleep(10); // job 1 failed once and sleeps before its retry
    q.push(2);
    q.push(3);
    const stop = new Error('stop');
    q.close(stop);
    expect(settled).toEqual([{ job: 1, err: stop, attempts: 1 }]);
    q.abandon(stop);
    expect(settled.map((s) => s.job)).toEqual([1, 3]);
    expect(await q.drain(1000)).toBe(true);
    expect(settled.map((s) => [s.job, s.err])).toEqual([[1, stop], [3, stop], [2, null]]);
  });
});
