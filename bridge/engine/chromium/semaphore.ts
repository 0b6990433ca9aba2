// A counting semaphore: at most N slots launch Chromium (and load WhatsApp Web) at once, so six
// slots starting together on a two-core desktop do not starve each other into timeouts.

export class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`semaphore size must be a positive integer, got ${size}`);
    this.#free = size;
  }

  get inUse(): number {
    return this.size - this.#free;
  }

  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return; // a double release must not mint a permit
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

/** Shared by every slot of this process. */
export const launchPermits = new Semaphore(2);
