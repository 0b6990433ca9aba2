// A bounded local spool: while MySQL is unreachable, write operations are appended to a JSON-lines
// file in the data dir and replayed in order once it is back. Replaying twice is harmless (every
// write is idempotent), so a failed replay simply starts again from the top next time.
import fs from 'node:fs';
import path from 'node:path';
import type { ArchiveOp } from './ops.js';

export const DEFAULT_SPOOL_MAX_BYTES = 256 * 1024 * 1024;

export class Spool {
  private bytes = 0;
  private ops = 0;
  /** Operations refused because the spool was full. */
  dropped = 0;

  constructor(readonly file: string, private readonly maxBytes = DEFAULT_SPOOL_MAX_BYTES) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // A spool left by a previous run (MySQL was down when it stopped) is picked up, not lost.
    if (fs.existsSync(file)) {
      let text = fs.readFileSync(file, 'utf8');
      if (text && !text.endsWith('\n')) {
        // A crash mid-append left a torn last line: cut it off, or the next append would be
        // glued onto it and lost with it.
        text = text.slice(0, text.lastIndexOf('\n') + 1);
        fs.truncateSync(file, Buffer.byteLength(text));
      }
      this.bytes = Buffer.byteLength(text);
      this.ops = parseLines(text).length;
    }
  }

  get size(): number {
    return this.ops;
  }

  get isEmpty(): boolean {
    return this.ops === 0;
  }

  /** Append; returns how many operations did not fit. */
  async append(batch: ArchiveOp[]): Promise<number> {
    const lines: string[] = [];
    let added = 0;
    let refused = 0;
    for (const op of batch) {
      const line = JSON.stringify(op) + '\n';
      const size = Buffer.byteLength(line);
      if (this.bytes + added + size > this.maxBytes) {
        refused++;
        continue;
      }
      lines.push(line);
      added += size;
    }
    if (lines.length) {
      await fs.promises.appendFile(this.file, lines.join(''));
      this.bytes += added;
      this.ops += lines.length;
    }
    this.dropped += refused;
    return refused;
  }

  /** Everything spooled, oldest first (a torn last line from a crash is skipped). */
  async readAll(): Promise<ArchiveOp[]> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return parseLines(text);
  }

  async clear(): Promise<void> {
    await fs.promises.rm(this.file, { force: true });
    this.bytes = 0;
    this.ops = 0;
  }
}

/** The operations of spool text; a line that is not JSON (torn or damaged) is skipped. */
function parseLines(text: string): ArchiveOp[] {
  const out: ArchiveOp[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as ArchiveOp);
    } catch {
      // torn write: skip
    }
  }
  return out;
}
