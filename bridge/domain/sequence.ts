// The bridge's message sequence: one number per message that sorts a chat the way it happened,
// even when several messages share a second (WhatsApp timestamps are whole seconds, so a burst of
// text → photo → PDF would otherwise come back in any order). `seq = timestamp × 1000 + n`, where
// n counts the messages the bridge has already numbered in that second of that slot; the first
// number given to a message id is kept (REST, WebSocket and archive all show the same one).
// Pure: no Node imports.

/** Messages one slot may number within one second before they share the last number. */
export const SEQ_PER_SECOND = 1000;

/** The sequence of a message nobody numbered (older producers, rows read back from old data). */
export function baseSeq(timestamp: number): number {
  return Math.max(0, Math.trunc(timestamp)) * SEQ_PER_SECOND;
}

/** A positive safe integer, or null. */
export function validSeq(seq: unknown): number | null {
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : null;
}

export class MessageSequence {
  private readonly byId = new Map<string, number>();
  private readonly nextInSecond = new Map<string, number>();

  /** `maxIds` bounds memory; the oldest ids are forgotten first (the archive keeps their number). */
  constructor(private readonly maxIds = 50_000) {}

  /** The message's number: the one it already has, else the next free one in its second. */
  assign(slot: number, message: { id: string; timestamp: number; seq?: number }): number {
    const key = `${slot}|${message.id}`;
    const known = this.byId.get(key) ?? validSeq(message.seq);
    if (known !== null && known !== undefined) {
      this.remember(key, known);
      return known;
    }
    const second = Math.max(0, Math.trunc(Number(message.timestamp) || 0));
    const secondKey = `${slot}|${second}`;
    const n = this.nextInSecond.get(secondKey) ?? 0;
    this.nextInSecond.delete(secondKey);
    this.nextInSecond.set(secondKey, Math.min(n + 1, SEQ_PER_SECOND - 1));
    const seq = baseSeq(second) + Math.min(n, SEQ_PER_SECOND - 1);
    this.remember(key, seq);
    this.trim();
    return seq;
  }

  /** Number a page the engine returned newest first: the oldest gets the lowest free number. */
  assignPage<T extends { id: string; timestamp: number; seq?: number }>(slot: number, newestFirst: T[]): (T & { seq: number })[] {
    const numbered = [...newestFirst].reverse().map((m) => ({ ...m, seq: this.assign(slot, m) }));
    return numbered.reverse();
  }

  private remember(key: string, seq: number): void {
    this.byId.delete(key);
    this.byId.set(key, seq);
  }

  private trim(): void {
    // Maps iterate in insertion order: the first keys are the least recently used.
    for (const map of [this.byId, this.nextInSecond]) {
      while (map.size > this.maxIds) map.delete(map.keys().next().value as string);
    }
  }
}

/** Oldest first by sequence (rows without one by their second), then by id for a stable order. */
export function compareBySeq(a: { seq?: number; timestamp: number; id: string }, b: { seq?: number; timestamp: number; id: string }): number {
  const sa = validSeq(a.seq) ?? baseSeq(a.timestamp);
  const sb = validSeq(b.seq) ?? baseSeq(b.timestamp);
  return sa - sb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
