// The recent events, numbered, so a phone that reconnects with `?since=<seq>` gets exactly what
// it missed. Bounded by count and age: a phone away longer is told its replay is incomplete
// and reloads instead. Sequence numbers restart with the bridge (the hello frame's bootId says so).
import crypto from 'node:crypto';

export const REPLAY_MAX_EVENTS = 5000;
export const REPLAY_MAX_AGE_MS = 15 * 60_000;

export interface LoggedEvent {
  seq: number;
  slot: number;
  at: number;
  /** The frame as sent, serialised once. */
  text: string;
}

export interface ReplayResult {
  events: LoggedEvent[];
  /** False when events after `since` have already been dropped (or `since` is from another run). */
  complete: boolean;
}

export class EventLog {
  readonly bootId: string;
  private readonly events: LoggedEvent[] = [];
  private head = 0;
  private seq = 0;

  constructor(
    private readonly maxEvents = REPLAY_MAX_EVENTS,
    private readonly maxAgeMs = REPLAY_MAX_AGE_MS,
    private readonly now: () => number = Date.now,
    /** Cluster mode: the cluster's id, the same on every node (numbers are the cluster's). */
    bootId: string = crypto.randomUUID(),
  ) {
    this.bootId = bootId;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Number the frame, keep it, and return it with its `seq`. */
  append(slot: number, frame: Record<string, unknown>): LoggedEvent {
    const entry: LoggedEvent = { seq: ++this.seq, slot, at: this.now(), text: JSON.stringify({ ...frame, seq: this.seq }) };
    this.events.push(entry);
    this.trim();
    return entry;
  }

  /**
   * Keep a frame numbered elsewhere (cluster mode: the shared event table's id). Numbers must rise:
   * an old or repeated one is dropped (null), so a client never gets an event twice.
   */
  appendAt(seq: number, slot: number, frame: Record<string, unknown>): LoggedEvent | null {
    if (seq <= this.seq) return null;
    this.seq = seq;
    const entry: LoggedEvent = { seq, slot, at: this.now(), text: JSON.stringify({ ...frame, seq }) };
    this.events.push(entry);
    this.trim();
    return entry;
  }

  /** Events after `since`, oldest first. */
  since(since: number): ReplayResult {
    this.trim();
    if (since > this.seq || since < 0) return { events: [], complete: false };
    const live = this.events.slice(this.head);
    const oldest = live[0]?.seq ?? this.seq + 1;
    // Complete when nothing after `since` was dropped: the first kept event is at most since + 1.
    const complete = oldest <= since + 1;
    return { events: live.filter((e) => e.seq > since), complete };
  }

  private trim(): void {
    const cutoff = this.now() - this.maxAgeMs;
    while (this.head < this.events.length && (this.events.length - this.head > this.maxEvents || this.events[this.head]!.at < cutoff)) this.head++;
    // Compact now and then rather than shifting on every event.
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events.splice(0, this.head);
      this.head = 0;
    }
  }
}
