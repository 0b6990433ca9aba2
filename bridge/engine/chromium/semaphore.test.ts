// The launch gate: never more than N holders, waiters served in order, double release harmless.
import { describe, expect, it } from 'vitest';
import { launchPermits, Semaphore } from './semaphore.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('Semaphore', () => {
  it('lets at most `size` holders in at once and serves them all', async () => {
    const gate = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const release = await gate.acquire();
        running++;
        peak = Math.max(peak, running);
        await tick();
        order.push(i);
        running--;
        release();
      }),
    );
    expect(peak).toBe(2);
    expect(order.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(gate.inUse).toBe(0);
  });

  it('a double release mints nothing', async () => {
    const gate = new Semaphore(1);
    const release = await gate.acquire();
    release();
    release();
    expect(gate.inUse).toBe(0);
    const a = await gate.acquire();
    let second = false;
    void gate.acquire().then(() => (second = true));
    await tick();
    expect(second).toBe(false);
    a();
    await tick();
    expect(second).toBe(true);
  });

  it('rejects a nonsense size; the shared launch gate allows two', () => {
    expect(() => new Semaphore(0)).toThrow(/positive integer/);
    expect(launchPermits.size).toBe(2);
  });
});
