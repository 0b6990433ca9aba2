// PSS/RSS of a real process tree from /proc (Linux).
import { describe, expect, it } from 'vitest';
import { processMemory, treeMemory } from './memory.js';
import { killStarted, spawnFakeBrowser } from './testing.js';

describe('treeMemory', () => {
  it('sums PSS and RSS over a parent and its child; PSS never exceeds RSS', async () => {
    const fake = await spawnFakeBrowser(null, { withChild: true });
    try {
      const tree = await fake.tree();
      const mem = treeMemory(fake.pid)!;
      expect(new Set(mem.pids)).toEqual(new Set(tree));
      const parent = processMemory(fake.pid)!;
      expect(parent.pssBytes).toBeGreaterThan(1024 * 1024);
      expect(parent.pssBytes).toBeLessThanOrEqual(parent.rssBytes);
      expect(mem.pssBytes).toBeGreaterThan(parent.pssBytes);
      expect(mem.rssBytes).toBeGreaterThanOrEqual(mem.pssBytes);
      expect(mem.ussBytes).toBeLessThanOrEqual(mem.pssBytes);
    } finally {
      await killStarted();
    }
  });

  it('is null for a process that does not exist', () => {
    expect(treeMemory(2 ** 22 + 12345)).toBeNull();
    expect(processMemory(2 ** 22 + 12345)).toBeNull();
  });
});
