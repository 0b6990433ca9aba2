// The lifeline: a tiny child process per node that holds the process-group ids of the node's
// browsers and kills them when the node is gone. The kernel closes the child's stdin when the
// node dies, even by SIGKILL, so the child notices within milliseconds; a frozen node is the
// lease's job (self-fence), not this one's. The child runs from inline code (no file to find in
// a packaged app), in its own process group so a group kill of the node spares it.
import { spawn, type ChildProcess } from 'node:child_process';

/** The child: "+<pid>" registers, "-<pid>" forgets; end of input kills every registered group. */
export const REAPER_SOURCE = `
const groups = new Set();
const { execFileSync } = require('node:child_process');
function kill(pid) {
  if (process.platform === 'win32') {
    try { execFileSync('taskkill', ['/PID', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }); } catch {}
    return;
  }
  try { process.kill(-pid, 'SIGKILL'); } catch {}
  try { process.kill(pid, 'SIGKILL'); } catch {}
}
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf('\\n')) >= 0) {
    const line = buffered.slice(0, nl).trim();
    buffered = buffered.slice(nl + 1);
    const pid = Number(line.slice(1));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (line[0] === '+') groups.add(pid);
    else if (line[0] === '-') groups.delete(pid);
  }
});
const reap = () => { for (const pid of groups) kill(pid); process.exit(0); };
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
`;

export class Lifeline {
  #child: ChildProcess | null = null;
  readonly #groups = new Set<number>();

  /** Start the reaper child (idempotent). */
  start(): void {
    if (this.#child) return;
    const child = spawn(process.execPath, ['-e', REAPER_SOURCE], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: process.platform !== 'win32',
      windowsHide: true,
      // Electron's binary runs the script as plain Node with this.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    child.stdin!.on('error', () => undefined);
    child.on('exit', () => {
      if (this.#child === child) this.#child = null;
    });
    // The node may exit without waiting for it; the child then reaps on its own.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    this.#child = child;
    for (const pid of this.#groups) this.#send(`+${pid}`);
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** A browser launched: its group dies with this node. */
  register(pid: number): void {
    this.#groups.add(pid);
    this.#send(`+${pid}`);
  }

  /** A browser stopped on purpose: forget it (its pid may be reused later). */
  unregister(pid: number): void {
    this.#groups.delete(pid);
    this.#send(`-${pid}`);
  }

  #send(line: string): void {
    const stdin = this.#child?.stdin;
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  }

  /** Stop the reaper without killing anything (clean stop: every browser was already closed). */
  stop(): void {
    const child = this.#child;
    this.#child = null;
    if (!child) return;
    for (const pid of this.#groups) child.stdin?.write(`-${pid}\n`);
    this.#groups.clear();
    child.stdin?.end();
  }
}
