// The orphan sweep against real processes: only trees carrying our data dir die.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlive, killTree, listProcesses, treeOf, userDataDirOf } from './processes.js';
import { orphanCandidates, sweepOrphanBrowsers } from './sweep.js';
import { killStarted, spawnFakeBrowser } from './testing.js';

const logger = pino({ level: 'silent' });
let tmp: string;
let dataDir: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wab-sweep-'));
  dataDir = path.join(tmp, 'data');
});

afterEach(async () => {
  await killStarted();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('sweepOrphanBrowsers', () => {
  it('kills the trees that carry our data dir and nothing else', async () => {
    const orphan1 = await spawnFakeBrowser(path.join(dataDir, 'sessions', 'session-slot-1'), { withChild: true });
    const orphan2 = await spawnFakeBrowser(path.join(dataDir, 'sessions', 'session-slot-4'));
    const orphanTree = [...(await orphan1.tree()), orphan2.pid];
    const otherBridge = await spawnFakeBrowser(path.join(tmp, 'other-data', 'sessions', 'session-slot-1'), { withChild: true });
    const prefixTrap = await spawnFakeBrowser(path.join(`${dataDir}2`, 'sessions', 'session-slot-1'));
    const plain = await spawnFakeBrowser(null);
    const survivors = [...(await otherBridge.tree()), prefixTrap.pid, plain.pid];

    const killed = await sweepOrphanBrowsers(dataDir, logger);

    expect(killed).toBe(orphanTree.length);
    for (const pid of orphanTree) expect(isAlive(pid)).toBe(false);
    for (const pid of survivors) expect(isAlive(pid)).toBe(true);
  });

  it('finds nothing to do in a clean data dir', async () => {
    const other = await spawnFakeBrowser(path.join(tmp, 'elsewhere'));
    expect(await sweepOrphanBrowsers(dataDir, logger)).toBe(0);
    expect(isAlive(other.pid)).toBe(true);
  });

  it('never offers this process or its ancestors as candidates', async () => {
    const table = await listProcesses();
    const me = table.find((p) => p.pid === process.pid)!;
    // Pretend this very process carried the data dir: it must still be protected.
    const doctored = table.map((p) =>
      p.pid === process.pid || p.pid === me.ppid ? { ...p, argv: [...(p.argv ?? []), `--user-data-dir=${dataDir}/x`] } : p,
    );
    expect(orphanCandidates(dataDir, doctored).map((p) => p.pid)).not.toContain(process.pid);
    expect(orphanCandidates(dataDir, doctored).map((p) => p.pid)).not.toContain(me.ppid);
  });
});

describe('process helpers', () => {
  it('reads --user-data-dir from argv and from quoted Windows-style command lines', () => {
    expect(userDataDirOf({ pid: 1, ppid: 0, command: '', argv: ['chrome', '--user-data-dir=/a b/c', '--x'] })).toBe('/a b/c');
    expect(
      userDataDirOf({ pid: 1, ppid: 0, command: '"C:\\chrome.exe" --user-data-dir="C:\\Data Dir\\session-slot-1" --x', argv: null }),
    ).toBe('C:\\Data Dir\\session-slot-1');
    expect(
      userDataDirOf({ pid: 1, ppid: 0, command: '/Applications/Chrome --user-data-dir=/Users/me/App Support/s1 --headless=new', argv: null }),
    ).toBe('/Users/me/App Support/s1');
    expect(userDataDirOf({ pid: 1, ppid: 0, command: 'chrome --headless', argv: null })).toBeNull();
  });

  it('treeOf walks children breadth-first and survives a ppid loop', () => {
    const table = [
      { pid: 10, ppid: 1, command: 'chrome', argv: null },
      { pid: 11, ppid: 10, command: 'renderer', argv: null },
      { pid: 12, ppid: 10, command: 'gpu', argv: null },
      { pid: 13, ppid: 11, command: 'utility', argv: null },
      { pid: 20, ppid: 1, command: 'other', argv: null },
      { pid: 30, ppid: 31, command: 'loop-a', argv: null },
      { pid: 31, ppid: 30, command: 'loop-b', argv: null },
    ];
    expect(treeOf(10, table)).toEqual([10, 11, 12, 13]);
    expect(treeOf(20, table)).toEqual([20]);
    expect(treeOf(30, table)).toEqual([30, 31]);
  });

  it('killTree kills a parent and its child and reports both', async () => {
    const fake = await spawnFakeBrowser(null, { withChild: true });
    const tree = await fake.tree();
    expect(tree).toHaveLength(2);
    const killed = await killTree(fake.pid);
    expect(new Set(killed)).toEqual(new Set(tree));
    for (const pid of tree) expect(isAlive(pid)).toBe(false);
    // Gone from the process table too (a zombie or a re-parented child would still be listed).
    const live = new Set((await listProcesses()).map((p) => p.pid));
    expect(tree.filter((pid) => live.has(pid))).toEqual([]);
    expect(await killTree(fake.pid)).toEqual([]);
  });

  it('killTree still reaches the group of a leader that already died (re-parented children)', async () => {
    const leader = await spawnFakeBrowser(null, { withChild: true, detached: true });
    const [, childPid] = await leader.tree();
    process.kill(leader.pid, 'SIGKILL');
    await new Promise((r) => leader.child.once('exit', r));
    expect(isAlive(childPid!)).toBe(true);
    expect(await killTree(leader.pid)).toEqual([childPid]);
    expect(isAlive(childPid!)).toBe(false);
  });
});
