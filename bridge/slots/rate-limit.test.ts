// Send limits per slot (API.md): per recipient a minute and an hour, per slot a day; counters in
// the local state database or in another store (the cluster's shared one), kept across restarts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BridgeError } from '../domain/index.js';
import { openStateDb } from '../state/db.js';
import { SendLimiter, type LimitCounters } from './rate-limit.js';

const dirs: string[] = [];
const stateDb = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'limits-'));
  dirs.push(dir);
  return openStateDb(dir);
};
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Counters in memory (rate-limiter-flexible's own), standing in for the cluster's shared store. */
function memoryCounters() {
  const byPrefix = new Map<string, RateLimiterMemory>();
  const counters = {
    counter: (keyPrefix: string, points: number, duration: number) => {
      const counter = new RateLimiterMemory({ keyPrefix, points, duration });
      byPrefix.set(keyPrefix, counter);
      return counter;
    },
    sweep: vi.fn(),
  } satisfies LimitCounters;
  const used = async (prefix: string, key: string) => (await byPrefix.get(prefix)!.get(key))?.consumedPoints ?? 0;
  return { counters, byPrefix, used };
}

describe('SendLimiter', () => {
  it('allows N a minute per recipient, then RATE_LIMITED with the wait; other recipients and slots are separate', async () => {
    const limiter = new SendLimiter({ ratePerMinute: 2, ratePerHour: 100, ratePerDay: 1000 }, stateDb());
    await limiter.consume(1, 'a');
    await limiter.consume(1, 'a');
    const err = await limiter.consume(1, 'a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/^rate limit reached on slot 1: 2 messages a minute to one recipient; retry in \d+ s$/) });
    expect((err as BridgeError).retryAfter).toBeGreaterThanOrEqual(1);
    expect((err as BridgeError).retryAfter).toBeLessThanOrEqual(60);
    await limiter.consume(1, 'b');
    await limiter.consume(2, 'a');
  });

  it('counts the hour and the day too; a refused send consumes nothing and a refund gives a send back', async () => {
    const onLimited = vi.fn();
    const limiter = new SendLimiter({ ratePerMinute: 100, ratePerHour: 2, ratePerDay: 3 }, stateDb(), onLimited);
    await limiter.consume(1, 'a');
    await limiter.consume(1, 'a');
    await expect(limiter.consume(1, 'a')).rejects.toMatchObject({ message: expect.stringContaining('2 messages an hour to one recipient') });
    expect(onLimited).toHaveBeenCalledWith(1, 'per_hour');
    await limiter.consume(1, 'b'); // day: 3 of 3 (the refused one was given back)
    await expect(limiter.consume(1, 'c')).rejects.toMatchObject({ message: expect.stringContaining('3 messages a day per slot') });
    await limiter.refund(1, 'b');
    await limiter.consume(1, 'c');
    expect(onLimited).toHaveBeenCalledTimes(2);
  });
});

describe('SendLimiter refusals', () => {
  it('names the limit that refused and the real wait, not just a second', async () => {
    const onLimited = vi.fn();
    const limiter = new SendLimiter({ ratePerMinute: 1, ratePerHour: 100, ratePerDay: 1000 }, stateDb(), onLimited);
    await limiter.consume(1, 'a');
    const err = (await limiter.consume(1, 'a').catch((e: unknown) => e)) as BridgeError;
    expect(onLimited).toHaveBeenCalledWith(1, 'per_minute');
    expect(err.retryAfter).toBeGreaterThan(30); // a minute window, just opened
  });

  it('a send refused by the daily limit gives back what the per-recipient limits had counted', async () => {
    const limiter = new SendLimiter({ ratePerMinute: 1, ratePerHour: 100, ratePerDay: 1 }, stateDb());
    await limiter.consume(1, 'a');
    await expect(limiter.consume(1, 'b')).rejects.toMatchObject({ message: expect.stringContaining('1 messages a day per slot') });
    await limiter.refund(1, 'a'); // the day has room again
    await limiter.consume(1, 'b'); // b's minute was never used
  });
});

describe('SendLimiter sweep', () => {
  it('deletes expired counters when opened and then every 1,000 sends, never live ones', async () => {
    const db = stateDb();
    const addExpired = (key: string) => db.prepare('INSERT INTO rate_limits (key, points, expire) VALUES (?, 1, ?)').run(key, Date.now() - 1000);
    const keys = () => (db.prepare('SELECT key FROM rate_limits').all() as { key: string }[]).map((r) => r.key);
    addExpired('old-1');
    const limiter = new SendLimiter({ ratePerMinute: 10_000, ratePerHour: 10_000, ratePerDay: 10_000 }, db);
    expect(keys()).not.toContain('old-1');
    addExpired('old-2');
    for (let i = 1; i < 1000; i++) await limiter.consume(1, 'a');
    expect(keys()).toContain('old-2');
    await limiter.consume(1, 'a'); // the 1,000th
    expect(keys()).not.toContain('old-2');
    expect(keys()).toHaveLength(3); // the live minute, hour and day counters
  });
});

describe('SendLimiter keys', () => {
  it('counts the day per slot: a slot at its daily limit does not stop another slot', async () => {
    const limiter = new SendLimiter({ ratePerMinute: 10, ratePerHour: 100, ratePerDay: 1 }, stateDb());
    await limiter.consume(1, 'a');
    await expect(limiter.consume(1, 'b')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await limiter.consume(2, 'a');
  });

  it('keeps counting what an earlier run stored (minute:, hour: and day: keys), so an upgrade resets no limit', async () => {
    const db = stateDb();
    const stored = (key: string) => db.prepare('INSERT INTO rate_limits (key, points, expire) VALUES (?, 1, ?)').run(key, Date.now() + 60_000);
    stored('minute:1:a');
    stored('hour:1:b');
    stored('day:2');
    const onRefused = vi.fn();
    const limiter = new SendLimiter({ ratePerMinute: 1, ratePerHour: 1, ratePerDay: 1 }, db, onRefused);
    for (const [slot, to] of [[1, 'a'], [1, 'b'], [2, 'c']] as const) {
      await expect(limiter.consume(slot, to)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    }
    expect(onRefused.mock.calls).toEqual([[1, 'per_minute'], [1, 'per_hour'], [2, 'per_day']]);
    await limiter.consume(1, 'c'); // nothing else was counted
  });
});

describe('SendLimiter stores', () => {
  it('starts no timer of its own on the local database (sends sweep it), so nothing fires after the bridge stops', () => {
    const db = stateDb();
    vi.useFakeTimers();
    try {
      new SendLimiter({ ratePerMinute: 1, ratePerHour: 1, ratePerDay: 1 }, db);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('uses the counters it is given (the cluster shared store) instead of a local database', async () => {
    const { counters, byPrefix, used } = memoryCounters();
    const limiter = new SendLimiter({ ratePerMinute: 1, ratePerHour: 100, ratePerDay: 1000 }, counters);
    expect([...byPrefix.keys()]).toEqual(['minute', 'hour', 'day']);
    expect(counters.sweep).toHaveBeenCalledTimes(1);
    await limiter.consume(1, 'a');
    expect([await used('minute', '1:a'), await used('hour', '1:a'), await used('day', '1')]).toEqual([1, 1, 1]);
    await expect(limiter.consume(1, 'a')).rejects.toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('1 messages a minute') });
  });

  it('a failing store fails the send with its own error (not a refusal) and gives back what it had counted', async () => {
    const { counters, byPrefix, used } = memoryCounters();
    const onRefused = vi.fn();
    const limiter = new SendLimiter({ ratePerMinute: 1, ratePerHour: 100, ratePerDay: 1000 }, counters, onRefused);
    const broken = new Error('database is locked');
    vi.spyOn(byPrefix.get('day')!, 'consume').mockRejectedValueOnce(broken);
    await expect(limiter.consume(1, 'a')).rejects.toBe(broken);
    expect(onRefused).not.toHaveBeenCalled();
    expect([await used('minute', '1:a'), await used('hour', '1:a')]).toEqual([0, 0]);
    await limiter.consume(1, 'a'); // the minute's single send is still there
  });
});
