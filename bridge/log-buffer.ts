// Keeps the most recent log lines in memory for the admin app's log screen: each with an id (for
// the live tail), its kind (request, slot lifecycle, phone pairing, push) and its slot, and only
// a short list of scalar fields — never a body, a token or a whole error object.
import { Writable } from 'node:stream';

export type LogKind = 'request' | 'lifecycle' | 'pairing' | 'push' | 'other';
export const LOG_KINDS: LogKind[] = ['request', 'lifecycle', 'pairing', 'push', 'other'];

export interface LogLine {
  /** Increasing; `after` in a query returns the lines newer than this. */
  id: number;
  time: number;
  level: string;
  msg: string;
  kind: LogKind;
  slot: number | null;
  /** The fields worth reading (method, path, status, ms, state, reason, error, …). */
  detail: Record<string, string | number | boolean>;
}

export interface LogQuery {
  limit: number;
  /** This level and above. */
  level?: string;
  slot?: number;
  kind?: LogKind;
  /** Only lines with a greater id (live tail). */
  after?: number;
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
export const LOG_LEVELS = Object.keys(RANK);

/** Fields copied into `detail` (anything else, e.g. request bodies, stays out of the buffer). */
const KEPT = ['method', 'path', 'status', 'ms', 'state', 'reason', 'error', 'err', 'attempt', 'deviceId', 'device', 'role', 'code', 'attempts', 'phone'];
const MAX_TEXT = 300;

function kindOf(entry: Record<string, unknown>, msg: string): LogKind {
  if (typeof entry.kind === 'string' && (LOG_KINDS as string[]).includes(entry.kind)) return entry.kind as LogKind;
  if (msg === 'request') return 'request';
  if (/\bpush\b|FCM/i.test(msg)) return 'push';
  return 'other';
}

function scalar(v: unknown): string | number | boolean | null {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > MAX_TEXT ? `${v.slice(0, MAX_TEXT)}…` : v;
  // pino serialises errors as { type, message, stack }: the message is enough.
  if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') return scalar((v as { message: string }).message);
  return null;
}

export class LogBuffer extends Writable {
  private readonly lines: LogLine[] = [];
  private nextId = 1;

  constructor(private readonly capacity = 1000) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const text of chunk.toString('utf8').split('\n')) {
      if (!text.trim()) continue;
      this.lines.push(this.parse(text));
      if (this.lines.length > this.capacity) this.lines.shift();
    }
    done();
  }

  private parse(text: string): LogLine {
    const id = this.nextId++;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { id, time: Date.now(), level: 'info', msg: text, kind: 'other', slot: null, detail: {} };
    }
    const msg = typeof entry.msg === 'string' ? entry.msg : '';
    const detail: LogLine['detail'] = {};
    for (const k of KEPT) {
      const v = scalar(entry[k]);
      if (v !== null) detail[k === 'err' ? 'error' : k] = v;
    }
    return {
      id,
      time: typeof entry.time === 'number' ? entry.time : Date.now(),
      level: LEVELS[typeof entry.level === 'number' ? entry.level : 30] ?? 'info',
      msg,
      kind: kindOf(entry, msg),
      slot: typeof entry.slot === 'number' ? entry.slot : null,
      detail,
    };
  }

  /** Newest first. */
  recent(limit: number): LogLine[] {
    return this.query({ limit });
  }

  /** Newest first, filtered. */
  query(q: LogQuery): LogLine[] {
    const min = q.level ? (RANK[q.level] ?? 0) : 0;
    const out: LogLine[] = [];
    for (let i = this.lines.length - 1; i >= 0 && out.length < q.limit; i--) {
      const l = this.lines[i]!;
      if (q.after !== undefined && l.id <= q.after) break;
      if (min && (RANK[l.level] ?? 30) < min) continue;
      if (q.slot !== undefined && l.slot !== q.slot) continue;
      if (q.kind && l.kind !== q.kind) continue;
      out.push(l);
    }
    return out;
  }
}
