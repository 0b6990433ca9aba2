// Test helpers: real stand-in processes that look like slot browsers to the process table
// (a `--user-data-dir=` argument) and optionally own a child, so tree kills can be checked.
import { spawn, type ChildProcess } from 'node:child_process';
import { isAlive, killTree, listProcesses, treeOf } from './processes.js';

export interface FakeBrowser {
  child: ChildProcess;
  pid: number;
  /** pids of the whole tree once the child has started its own child. */
  tree: () => Promise<number[]>;
}

const started: ChildProcess[] = [];

/** A `node` process carrying `--user-data-dir=<dir>`; with `withChild`, it starts a `sleep` child. */
export async function spawnFakeBrowser(
  userDataDir: string | null,
  opts: { withChild?: boolean; detached?: boolean } = {},
): Promise<FakeBrowser> {
  const code = opts.withChild
    ? "require('child_process').spawn('sleep',['300'],{stdio:'ignore'});console.log('up');setInterval(()=>{},1e3)"
    : "console.log('up');setInterval(()=>{},1e3)";
  const args = ['-e', code, '--', ...(userDataDir ? [`--user-data-dir=${userDataDir}`] : []), '--fake-browser'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'], detached: opts.detached ?? false });
  started.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve());
  });
  const pid = child.pid!;
  const tree = async () => {
    for (let i = 0; i < 100; i++) {
      const pids = treeOf(pid, await listProcesses());
      if (!opts.withChild || pids.length > 1) return pids;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`fake browser ${pid} never started its child`);
  };
  return { child, pid, tree };
}

/** A pid that surely belonged to a process that has exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

/** Kill whatever the helpers started and is still alive (test clean-up). */
export async function killStarted() {
  for (const child of started.splice(0)) {
    if (child.pid && isAlive(child.pid)) await killTree(child.pid);
  }
}
