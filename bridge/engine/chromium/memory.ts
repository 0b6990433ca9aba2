// Memory of a browser tree. RSS counts every shared page once per process (six Chromium on a
// trivial page: ~5.5 GB RSS but ~1.2 GB PSS), so PSS (/proc/<pid>/smaps_rollup) is the honest
// figure; RSS is kept because it is cheap and is what OS tools show. Linux only; else null.
import fs from 'node:fs';
import { listProcessesSync, treeOf, type ProcessEntry } from './processes.js';

export interface TreeMemory {
  pids: number[];
  rssBytes: number;
  pssBytes: number;
  /** Private pages only: unaffected by whoever else maps the same libraries (flag comparisons). */
  ussBytes: number;
}

/** `Rss:`/`Pss:` of one process in bytes, or null if it is gone or unreadable. */
export function processMemory(pid: number): { rssBytes: number; pssBytes: number; ussBytes: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return null;
  }
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { rssBytes: kb('Rss'), pssBytes: kb('Pss'), ussBytes: kb('Private_Clean') + kb('Private_Dirty') };
}

/** Sum over `pid` and its descendants. `table` may be passed to share one scan across trees. */
export function treeMemory(pid: number, table?: ProcessEntry[]): TreeMemory | null {
  const procs = table ?? listProcessesSync();
  if (!procs) return null;
  const pids = treeOf(pid, procs);
  let rssBytes = 0;
  let pssBytes = 0;
  let ussBytes = 0;
  const alive: number[] = [];
  for (const p of pids) {
    const m = processMemory(p);
    if (!m) continue;
    alive.push(p);
    rssBytes += m.rssBytes;
    pssBytes += m.pssBytes;
    ussBytes += m.ussBytes;
  }
  if (alive.length === 0) return null;
  return { pids: alive, rssBytes, pssBytes, ussBytes };
}
