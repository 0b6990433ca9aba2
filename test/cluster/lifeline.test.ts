// The lifeline reaper: when its node dies by kill -9, the browser process groups the node
// registered die too; groups never registered, or unregistered, are left alone.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../bridge/engine/chromium/processes.js';
import { waitFor } from '../helpers/bridge.js';
import { ROOT } from '../helpers/process.js';

const leftovers: number[] = [];
afterAll(() => {
  for (const pid of leftovers) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

describe.runIf(process.platform !== 'win32')('lifeline reaper', () => {
  it('kills the registered browser groups when the node is killed with SIGKILL', async () => {
    const node = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/cluster/lifeline-fixture.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    node.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const pids = await waitFor(() => (out.includes('\n') ? (JSON.parse(out.split('\n')[0]!) as Record<string, number>) : null), 30_000, 'the fixture node ready');
    leftovers.push(pids.registered!, pids.forgotten!, pids.unregistered!);
    expect(isAlive(pids.registered!)).toBe(true);
    expect(isAlive(pids.reaper!)).toBe(true);
    node.kill('SIGKILL');
    await waitFor(() => !isAlive(pids.registered!), 5000, 'the registered browser killed by the reaper');
    await waitFor(() => !isAlive(pids.reaper!), 5000, 'the reaper gone after reaping');
    expect(isAlive(pids.forgotten!)).toBe(true);
    expect(isAlive(pids.unregistered!)).toBe(true);
  });
});
