// At bridge start, kill browsers a previous run left behind (Node killed outright skips all
// clean-up, and an orphaned Chromium keeps its profile locked). Only processes whose
// `--user-data-dir` lies inside our data dir are touched; everything else is someone else's.
import path from 'node:path';
import type { Logger } from 'pino';
import { killTree, listProcesses, userDataDirOf, type ProcessEntry } from './processes.js';

function inside(child: string, parent: string): boolean {
  const norm = (p: string) => (process.platform === 'win32' ? path.resolve(p).toLowerCase() : path.resolve(p));
  const rel = path.relative(norm(parent), norm(child));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Processes started with a profile inside `dataDir`, excluding this process and its ancestors. */
export function orphanCandidates(dataDir: string, table: ProcessEntry[]): ProcessEntry[] {
  const protectedPids = new Set<number>([process.pid]);
  const byPid = new Map(table.map((p) => [p.pid, p]));
  for (let p = byPid.get(process.pid); p && !protectedPids.has(p.ppid); p = byPid.get(p.ppid)) protectedPids.add(p.ppid);
  return table.filter((p) => {
    if (protectedPids.has(p.pid)) return false;
    const dir = userDataDirOf(p);
    return dir !== null && inside(dir, dataDir);
  });
}

/**
 * Kill every process tree that carries a profile inside `dataDir`. Returns how many processes
 * were killed. Call before any slot launches (it cannot tell a live slot from an orphan).
 */
export async function sweepOrphanBrowsers(dataDir: string, logger: Logger): Promise<number> {
  const table = await listProcesses();
  const candidates = orphanCandidates(dataDir, table);
  const pids = new Set(candidates.map((c) => c.pid));
  // Only tree roots: a renderer carries the same flag as its browser and dies with it.
  const roots = candidates.filter((c) => !pids.has(c.ppid));
  let killed = 0;
  for (const root of roots) {
    try {
      const gone = await killTree(root.pid);
      killed += gone.length;
      logger.warn({ pid: root.pid, processes: gone.length, profile: userDataDirOf(root) }, 'killed an orphaned browser');
    } catch (err) {
      logger.error({ pid: root.pid, err: (err as Error).message }, 'could not kill an orphaned browser');
    }
  }
  return killed;
}
