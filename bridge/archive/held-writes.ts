// Writes the archive could not commit (full disk, I/O error), kept for another try instead of
// dropped: in memory up to a bound, then in a spool file, then (both full) counted as lost.
// Order is kept: once anything went to the spool, newer writes follow it there.
import type { ArchiveOp } from './ops.js';
import type { Spool } from './spool.js';

export const DEFAULT_HELD_IN_MEMORY = 50_000;

export class HeldWrites {
  private memory: ArchiveOp[] = [];
  /** Writes lost because memory and spool were both full. */
  dropped = 0;

  constructor(
    private readonly spool: Spool,
    private readonly maxInMemory = DEFAULT_HELD_IN_MEMORY,
  ) {}

  get size(): number {
    return this.memory.length + this.spool.size;
  }

  get inSpool(): number {
    return this.spool.size;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  async add(batch: ArchiveOp[]): Promise<void> {
    if (this.spool.isEmpty && this.memory.length + batch.length <= this.maxInMemory) {
      this.memory.push(...batch);
      return;
    }
    try {
      this.dropped += await this.spool.append(batch);
    } catch {
      // The spool's disk is full too: memory takes what still fits under its bound.
      const room = Math.max(0, this.maxInMemory - this.memory.length);
      this.memory.push(...batch.slice(0, room));
      this.dropped += batch.length - Math.min(room, batch.length);
    }
  }

  /** Write everything held, oldest first, in chunks; throws (keeping the rest) at the first failure. */
  async drain(write: (ops: ArchiveOp[]) => Promise<void>, chunk = 1000): Promise<void> {
    while (this.memory.length > 0) {
      const ops = this.memory.slice(0, chunk);
      await write(ops);
      this.memory.splice(0, ops.length);
    }
    if (this.spool.isEmpty) return;
    const ops = await this.spool.readAll();
    for (let i = 0; i < ops.length; i += chunk) await write(ops.slice(i, i + chunk));
    await this.spool.clear();
  }

  /** Move what is only in memory to the spool (at close, so a restart finds it); throws if the disk refuses. */
  async spillToSpool(): Promise<void> {
    if (this.memory.length === 0) return;
    const ops = this.memory;
    this.memory = [];
    try {
      this.dropped += await this.spool.append(ops);
    } catch (err) {
      this.memory = ops;
      throw err;
    }
  }
}
