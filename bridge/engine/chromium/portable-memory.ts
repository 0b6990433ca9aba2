// Browser-tree memory where there is no /proc (Windows, macOS), through pidusage: the working
// set on Windows (WMI), RSS on macOS (ps). Both count shared pages once per process, so they
// read higher than Linux's PSS (memory.ts); health says which measure a figure is.
import pidusage from 'pidusage';
import { listProcesses, treeOf, type ProcessEntry } from './processes.js';

export type MemoryMeasure = 'pss' | 'rss';

export interface PortableDeps {
  list: () => Promise<ProcessEntry[]>;
  usage: (pids: number[]) => Promise<Record<string, { memory: number } | undefined>>;
}

const defaultDeps: PortableDeps = { list: listProcesses, usage: (pids) => pidusage(pids) };

/** Resident bytes of `pid` and its descendants, or null when the tree is gone. */
export async function portableTreeMemory(pid: number, deps: PortableDeps = defaultDeps): Promise<{ pids: number[]; rssBytes: number } | null> {
  const pids = treeOf(pid, await deps.list());
  if (pids.length === 0) return null;
  let stats: Record<string, { memory: number } | undefined>;
  try {
    stats = await deps.usage(pids);
  } catch {
    // One of them exited between the listing and the probe: ask one by one.
    const each = await Promise.allSettled(pids.map(async (p) => [p, (await deps.usage([p]))[p]] as const));
    stats = Object.fromEntries(each.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
  }
  const alive = pids.filter((p) => stats[p]);
  if (alive.length === 0) return null;
  return { pids: alive, rssBytes: alive.reduce((sum, p) => sum + stats[p]!.memory, 0) };
}

/**
 * processInfo() is synchronous and probing takes a process spawn here: each read returns the
 * last reading of that pid (one watchdog period old) and starts the next, one at a time.
 */
export class MemorySampler {
  #last: { pid: number; rssBytes: number } | null = null;
  #running: Promise<void> | null = null;
  constructor(private readonly measure: (pid: number) => Promise<{ rssBytes: number } | null> = portableTreeMemory) {}

  read(pid: number): number | null {
    this.#running ??= this.measure(pid)
      .then((m) => void (this.#last = m ? { pid, rssBytes: m.rssBytes } : null))
      .catch(() => void (this.#last = null))
      .finally(() => void (this.#running = null));
    return this.#last?.pid === pid ? this.#last.rssBytes : null;
  }

  /** Waits for the probe in flight (tests). */
  settled(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }
}
