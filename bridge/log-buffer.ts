// Keeps the most recent log lines in memory for the admin app's "recent log" view.
import { Writable } from 'node:stream';

export interface LogLine {
  time: number;
  level: string;
  msg: string;
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export class LogBuffer extends Writable {
  private readonly lines: LogLine[] = [];

  constructor(private readonly capacity = 500) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const text of chunk.toString('utf8').split('\n')) {
      if (!text.trim()) continue;
      try {
        const entry = JSON.parse(text) as { time?: number; level?: number; msg?: string };
        this.lines.push({ time: entry.time ?? Date.now(), level: LEVELS[entry.level ?? 30] ?? 'info', msg: entry.msg ?? '' });
      } catch {
        this.lines.push({ time: Date.now(), level: 'info', msg: text });
      }
      if (this.lines.length > this.capacity) this.lines.shift();
    }
    done();
  }

  recent(limit: number): LogLine[] {
    return this.lines.slice(-limit).reverse();
  }
}
