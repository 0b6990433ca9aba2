import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCoalescer } from './coalescer.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('createCoalescer', () => {
  it('hands over each key once its window (opened by the first item) closes', () => {
    const out: [string, string[], number][] = [];
    const c = createCoalescer<string>({ windowMs: 2000, onFlush: (k, items, n) => out.push([k, items, n]) });
    c.add('a', '1');
    vi.advanceTimersByTime(1500);
    c.add('a', '2');
    c.add('b', 'x');
    vi.advanceTimersByTime(499);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(out).toEqual([['a', ['1', '2'], 2]]);
    vi.advanceTimersByTime(1500);
    expect(out).toEqual([['a', ['1', '2'], 2], ['b', ['x'], 1]]);
    expect(c.openWindows).toBe(0);
  });

  it('keeps only the newest items but counts them all', () => {
    const out: [string[], number][] = [];
    const c = createCoalescer<number>({ windowMs: 10, maxItems: 3, onFlush: (_k, items, n) => out.push([items.map(String), n]) });
    for (let i = 1; i <= 10; i++) c.add('k', i);
    vi.advanceTimersByTime(10);
    expect(out).toEqual([[['8', '9', '10'], 10]]);
  });

  it('flushAll hands over now; cancelAll drops', () => {
    const out: string[] = [];
    const c = createCoalescer<string>({ windowMs: 1000, onFlush: (k) => out.push(k) });
    c.add('a', '1');
    c.flushAll();
    expect(out).toEqual(['a']);
    c.add('b', '1');
    c.cancelAll();
    vi.advanceTimersByTime(5000);
    expect(out).toEqual(['a']);
  });
});
