// Groups items by key over a short window: the first item of a key opens the window, and when it
// closes every item gathered under that key is handed over at once (a burst becomes one push).

export interface Coalescer<T> {
  add(key: string, item: T): void;
  /** Hand over every open window now (used when closing). */
  flushAll(): void;
  /** Drop open windows without handing them over. */
  cancelAll(): void;
  readonly openWindows: number;
}

interface Window<T> {
  timer: NodeJS.Timeout;
  items: T[];
  count: number;
}

export function createCoalescer<T>(opts: {
  windowMs: number;
  /** Kept per window (the newest ones); `count` still counts them all. */
  maxItems?: number;
  onFlush(key: string, items: T[], count: number): void;
}): Coalescer<T> {
  const windows = new Map<string, Window<T>>();
  const maxItems = opts.maxItems ?? 50;

  function flush(key: string): void {
    const w = windows.get(key);
    if (!w) return;
    clearTimeout(w.timer);
    windows.delete(key);
    opts.onFlush(key, w.items, w.count);
  }

  return {
    add(key, item) {
      const open = windows.get(key);
      if (open) {
        open.items.push(item);
        if (open.items.length > maxItems) open.items.shift();
        open.count++;
        return;
      }
      const timer = setTimeout(() => flush(key), opts.windowMs);
      windows.set(key, { timer, items: [item], count: 1 });
    },
    flushAll() {
      for (const key of [...windows.keys()]) flush(key);
    },
    cancelAll() {
      for (const w of windows.values()) clearTimeout(w.timer);
      windows.clear();
    },
    get openWindows() {
      return windows.size;
    },
  };
}
