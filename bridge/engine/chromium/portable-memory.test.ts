// The pidusage path of the memory guard (Windows, macOS), run here against real processes
// (pidusage reads /proc on Linux, ps on macOS, WMI on Windows) and with injected failures.
import { describe, expect, it } from 'vitest';
import { MemorySampler, portableTreeMemory } from './portable-memory.js';
import { killStarted, spawnFakeBrowser } from './testing.js';

describe('portableTreeMemory', () => {
  it('sums resident memory over a real parent and its child', async () => {
    const fake = await spawnFakeBrowser(null, { withChild: true });
    try {
      const tree = await fake.tree();
      const mem = (await portableTreeMemory(fake.pid))!;
      expect(new Set(mem.pids)).toEqual(new Set(tree));
      expect(tree.length).toBeGreaterThan(1);
      expect(mem.rssBytes).toBeGreaterThan(tree.length * 1024 * 1024);
    } finally {
      await killStarted();
    }
  });

  it('is null for a tree that is gone, and survives a child exiting mid-probe', async () => {
    const table = [
      { pid: 10, ppid: 1, command: '', argv: null },
      { pid: 11, ppid: 10, command: '', argv: null },
    ];
    expect(await portableTreeMemory(99, { list: async () => table, usage: async () => ({}) })).toBeNull();
    const usage = async (pids: number[]) => {
      if (pids.includes(11)) throw new Error('No matching pid found');
      return { 10: { memory: 5_000_000 } };
    };
    expect(await portableTreeMemory(10, { list: async () => table, usage })).toEqual({ pids: [10], rssBytes: 5_000_000 });
  });
});

describe('MemorySampler', () => {
  it('answers with the last reading of the same pid and probes one at a time', async () => {
    let calls = 0;
    const sampler = new MemorySampler(async () => ({ rssBytes: ++calls * 100 }));
    expect(sampler.read(7)).toBeNull(); // nothing measured yet
    expect(sampler.read(7)).toBeNull(); // still the same probe in flight
    await sampler.settled();
    expect(calls).toBe(1);
    expect(sampler.read(7)).toBe(100);
    await sampler.settled();
    expect(sampler.read(8)).toBeNull(); // a new browser: the old figure is not its own
  });

  it('forgets the reading when the probe fails', async () => {
    let fail = false;
    const sampler = new MemorySampler(async () => {
      if (fail) throw new Error('wmic missing');
      return { rssBytes: 1 };
    });
    sampler.read(1);
    await sampler.settled();
    fail = true;
    expect(sampler.read(1)).toBe(1);
    await sampler.settled();
    expect(sampler.read(1)).toBeNull();
  });
});
