// Cluster mode, send limits: the shared counters' windows follow the database's clock, so nodes
// whose own clocks are off (minutes behind or ahead) still share one window per counter. Each
// "node" here is a SendLimiter on the shared table, run with Date.now() skewed for its calls.
import mysql, { type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { BridgeError } from '../../bridge/domain/index.js';
import { MysqlCounter, sharedCounters } from '../../bridge/cluster/shared/rate-limits.js';
import { ensureSharedTables } from '../../bridge/cluster/shared/schema.js';
import { SendLimiter } from '../../bridge/slots/rate-limit.js';
import { createTestDatabase } from '../archive/mysql-kit.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = mysql.createPool({ uri: db.url(), connectionLimit: 4 });
  await ensureSharedTables(pool);
}, 30_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const realNow = Date.now.bind(Date);

/** Run `fn` on a node whose clock is `skewMs` off. */
async function onClock<T>(skewMs: number, fn: () => Promise<T>): Promise<T> {
  const spy = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs);
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => {
      if (err instanceof BridgeError) return err;
      throw err;
    },
  );

describe('shared send limits and clock skew', () => {
  const limits = { ratePerMinute: 2, ratePerHour: 100, ratePerDay: 1000 };
  const limiter = () => new SendLimiter(limits, sharedCounters(pool, (err) => expect.fail(String(err))));

  it.each([
    ['two minutes behind', -120_000, '+15550100001'],
    ['ten minutes ahead', 600_000, '+15550100002'],
  ])('a node %s and a node on time share one minute window', async (_name, skewMs, to) => {
    const skewed = limiter();
    const onTime = limiter();
    await onClock(skewMs, () => skewed.consume(1, to));
    await onClock(skewMs, () => skewed.consume(1, to));
    // The third send in the same minute is refused on the other node, with at most a minute to wait.
    const refused = await onClock(0, () => refusal(onTime.consume(1, to)));
    expect(refused?.code).toBe('RATE_LIMITED');
    const wait = refused!.retryAfter!;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    // And back on the skewed node too.
    expect((await onClock(skewMs, () => refusal(skewed.consume(1, to))))?.code).toBe('RATE_LIMITED');
  });

  it('a window ends by the database clock, whatever the nodes think; a refused count is given back', async () => {
    const ahead = new MysqlCounter(pool, 'clock', 1, 1);
    const behind = new MysqlCounter(pool, 'clock', 1, 1);
    const first = await onClock(3_600_000, () => ahead.consume('k'));
    expect(first).toMatchObject({ consumedPoints: 1, remainingPoints: 0, isFirstInDuration: true });
    expect(first.msBeforeNext).toBeGreaterThan(500);
    expect(first.msBeforeNext).toBeLessThanOrEqual(1000);
    const refused = await onClock(-3_600_000, () => behind.consume('k')).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(RateLimiterRes);
    expect((refused as RateLimiterRes).consumedPoints).toBe(2);
    expect(await behind.reward('k')).toMatchObject({ consumedPoints: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await onClock(-3_600_000, () => behind.consume('k'))).toMatchObject({ consumedPoints: 1, isFirstInDuration: true });
    const [row] = await db.query('SELECT `key` FROM shared_rate_limits WHERE `key` = ?', ['clock:k']);
    expect(row).toBeDefined();
  });
});
