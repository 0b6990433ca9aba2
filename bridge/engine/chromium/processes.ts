// The process table as the lock recovery, the orphan sweep and the memory guard need it:
// who is alive, what their command line says, who descends from whom, and killing a tree.
// Linux reads /proc (exact argv); macOS asks `ps`; Windows asks PowerShell (CIM).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** Process group, where the OS tells it (not on Windows). */
  pgid?: number;
  /** The command line as one string (what `ps` shows). */
  command: string;
  /** The exact argument vector where the OS gives it (Linux), else null. */
  argv: string[] | null;
}

/** /proc/<pid>/stat → state letter and ppid (the comm field may hold spaces and parens). */
function readStat(pid: number): { state: string; ppid: number; pgid: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '?', ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return null;
  }
}

function readArgv(pid: number): string[] | null {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!raw) return null; // kernel threads and zombies have none
    return raw.replace(/\0$/, '').split('\0');
  } catch {
    return null;
  }
}

const hasProc = () => process.platform === 'linux' && fs.existsSync('/proc/self/stat');

/**
 * Alive = exists and is not a zombie. A zombie still answers kill(pid, 0), and in containers
 * whose pid 1 never reaps, killed browser children stay zombies forever.
 */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (hasProc()) {
    const stat = readStat(pid);
    return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function listLinux(): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const stat = readStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    const argv = readArgv(pid);
    out.push({ pid, ppid: stat.ppid, pgid: stat.pgid, command: argv ? argv.join(' ') : '', argv });
  }
  return out;
}

async function listPosixPs(): Promise<ProcessEntry[]> {
  const { stdout } = await execFileAsync('ps', ['-axww', '-o', 'pid=,ppid=,pgid=,stat=,command='], { maxBuffer: 32 * 1024 * 1024 });
  const out: ProcessEntry[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!m || m[4]!.startsWith('Z')) continue;
    out.push({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), command: m[5]!, argv: null });
  }
  return out;
}

async function listWindows(): Promise<ProcessEntry[]> {
  const script =
    'Get-CimInstance Win32_Process | Select-Object ProcessId,ParentProcessId,CommandLine | ConvertTo-Json -Compress';
  const { stdout } = await execFileAsync('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], {
    maxBuffer: 64 * 1024 * 1024,
    windowsHide: true,
  });
  const parsed = JSON.parse(stdout || '[]') as
    | Array<{ ProcessId: number; ParentProcessId: number; CommandLine: string | null }>
    | { ProcessId: number; ParentProcessId: number; CommandLine: string | null };
  const rows = Array.isArray(parsed) ? parsed : [parsed];
  return rows.map((r) => ({ pid: r.ProcessId, ppid: r.ParentProcessId, command: r.CommandLine ?? '', argv: null }));
}

/** Every live process with its command line (zombies left out). */
export async function listProcesses(): Promise<ProcessEntry[]> {
  if (hasProc()) return listLinux();
  if (process.platform === 'win32') return listWindows();
  return listPosixPs();
}

/**
 * Parent links only (no command lines), synchronously: enough to walk a tree for the memory
 * probes the health route and the memory guard run often. Linux only; null elsewhere.
 */
export function listProcessesSync(): ProcessEntry[] | null {
  if (!hasProc()) return null;
  const out: ProcessEntry[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat && stat.state !== 'Z' && stat.state !== 'X') out.push({ pid: Number(name), ppid: stat.ppid, pgid: stat.pgid, command: '', argv: null });
  }
  return out;
}

/** The command line of one process, or null when it is gone (or unreadable). */
export async function commandOf(pid: number): Promise<ProcessEntry | null> {
  if (!isAlive(pid)) return null;
  if (hasProc()) {
    const argv = readArgv(pid);
    const stat = readStat(pid);
    if (!argv || !stat) return null;
    return { pid, ppid: stat.ppid, pgid: stat.pgid, command: argv.join(' '), argv };
  }
  const all = await listProcesses();
  return all.find((p) => p.pid === pid) ?? null;
}

/** `pid` and all its descendants, parents before children. */
export function treeOf(pid: number, table: ProcessEntry[]): number[] {
  const children = new Map<number, number[]>();
  for (const p of table) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  const seen = new Set<number>();
  while (queue.length) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    out.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}

/** The `--user-data-dir` a process was started with, or null. Handles quoted Windows forms. */
export function userDataDirOf(entry: ProcessEntry): string | null {
  if (entry.argv) {
    const arg = entry.argv.find((a) => a.startsWith('--user-data-dir='));
    return arg ? arg.slice('--user-data-dir='.length) : null;
  }
  const m = /"?--user-data-dir=(?:"([^"]*)"|(.+?))"?(?=\s+--|\s+"--|\s*$)/.exec(entry.command);
  if (!m) return null;
  return (m[1] ?? m[2] ?? '').trim() || null;
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * SIGKILL a process, every descendant, and every member of the process group it leads (which
 * outlive a browser that already exited: they are re-parented away but keep the group), then
 * wait until all are gone. Returns the pids that were signalled. Never throws for vanished pids.
 */
export async function killTree(pid: number, opts: { timeoutMs?: number } = {}): Promise<number[]> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  if (process.platform === 'win32') {
    if (!isAlive(pid)) return [];
    await execFileAsync('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true }).catch(() => undefined);
    return [pid];
  }
  const table = await listProcesses();
  const members = new Set(isAlive(pid) ? treeOf(pid, table) : []);
  for (const p of table) if (p.pgid === pid) for (const q of treeOf(p.pid, table)) members.add(q);
  members.delete(process.pid);
  const pids = [...members];
  if (pids.length === 0) return [];
  // Stop first so no member can spawn a replacement between our kills.
  for (const p of pids) signal(p, 'SIGSTOP');
  try {
    process.kill(-pid, 'SIGKILL'); // our launches lead their own group (detached spawn)
  } catch {
    /* not a group leader, or gone */
  }
  for (const p of pids) signal(p, 'SIGKILL');
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) {
      const left = pids.filter(isAlive);
      throw new Error(`processes ${left.join(', ')} survived SIGKILL for ${timeoutMs} ms`);
    }
    await sleep(25);
  }
  return pids;
}

function signal(pid: number, sig: NodeJS.Signals) {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}
