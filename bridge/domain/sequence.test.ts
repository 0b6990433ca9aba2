import { describe, expect, it } from 'vitest';
import { compareBySeq, MessageSequence } from './sequence.js';

describe('MessageSequence', () => {
  it('numbers messages of one second in the order they come, per slot, and keeps a number once given', () => {
    const s = new MessageSequence();
    expect(s.assign(1, { id: 'a', timestamp: 100 })).toBe(100_000);
    expect(s.assign(1, { id: 'b', timestamp: 100 })).toBe(100_001);
    expect(s.assign(2, { id: 'a', timestamp: 100 })).toBe(100_000);
    expect(s.assign(1, { id: 'a', timestamp: 100 })).toBe(100_000);
    expect(s.assign(1, { id: 'c', timestamp: 101 })).toBe(101_000);
    // A number the row already carries wins (an archived row read back).
    expect(s.assign(1, { id: 'd', timestamp: 100, seq: 100_500 })).toBe(100_500);
  });

  it('numbers a page given newest first from its oldest row up', () => {
    const s = new MessageSequence();
    const page = s.assignPage(1, [{ id: 'z', timestamp: 7 }, { id: 'y', timestamp: 7 }, { id: 'x', timestamp: 6 }]);
    expect(page.map((m) => m.seq)).toEqual([7001, 7000, 6000]);
  });

  it('never passes the second: a flood shares the last number; memory stays bounded', () => {
    const s = new MessageSequence(10);
    let last = 0;
    for (let i = 0; i < 1200; i++) last = s.assign(1, { id: `m${i}`, timestamp: 5 });
    expect(last).toBe(5999);
    expect(s.assign(1, { id: 'bad', timestamp: Number.NaN })).toBe(0);
  });

  it('compares by sequence, then by second for rows without one', () => {
    const rows = [{ id: 'b', timestamp: 2, seq: 2001 }, { id: 'a', timestamp: 2, seq: 2000 }, { id: 'c', timestamp: 1 }];
    expect([...rows].sort(compareBySeq).map((r) => r.id)).toEqual(['c', 'a', 'b']);
  });
});
