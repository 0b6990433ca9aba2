// The write operations both backends apply, and the pure merge rules they share: a message seen
// twice is stored once (later copies only fill gaps) and an ack never goes backwards.
import type { Ack, ArchivedMessage, MediaRecord, PollVote } from '../domain/index.js';

export type ArchiveOp =
  /** `text`: the searchable text, when the caller already normalised it (saves the writer the work). */
  | { op: 'message'; slot: number; message: ArchivedMessage; text?: string }
  | { op: 'ack'; slot: number; id: string; ack: Ack }
  | { op: 'edit'; slot: number; id: string; body: string; at: number }
  | { op: 'revoke'; slot: number; id: string; at: number }
  | { op: 'vote'; slot: number; vote: PollVote }
  /** A message's media metadata; the latest record replaces the earlier one. */
  | { op: 'media'; slot: number; media: MediaRecord };

/** Order of acks: pending < failed < sent < delivered < read < played (failed only beats pending). */
export function ackRank(ack: number): number {
  return ack === 0 ? 1.5 : ack;
}

export function mergeAck(current: number, incoming: number): Ack {
  return (ackRank(incoming) > ackRank(current) ? incoming : current) as Ack;
}

/** The stored fields of a message, as both backends keep them. */
export interface StoredMessage {
  id: string;
  chatId: string;
  fromMe: 0 | 1;
  timestamp: number;
  type: string;
  body: string;
  caption: string | null;
  filename: string | null;
  mimetype: string | null;
  hasMedia: 0 | 1;
  senderName: string;
  author: string | null;
  ack: Ack;
  pollOptions: string[] | null;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const optText = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** Coerce an engine message into the stored shape (defensive: engines are outside our control). */
export function toStored(m: ArchivedMessage): StoredMessage {
  const options = Array.isArray(m.pollOptions) ? m.pollOptions.filter((o): o is string => typeof o === 'string') : null;
  const ts = Number(m.timestamp);
  const ack = Number(m.ack);
  return {
    id: String(m.id),
    chatId: text(m.chatId),
    fromMe: m.fromMe ? 1 : 0,
    timestamp: Number.isFinite(ts) ? Math.trunc(ts) : 0,
    type: text(m.type) || 'chat',
    body: text(m.body),
    caption: optText(m.caption),
    filename: optText(m.filename),
    mimetype: optText(m.mimetype),
    hasMedia: m.hasMedia ? 1 : 0,
    senderName: text(m.senderName),
    author: optText(m.author),
    ack: (Number.isInteger(ack) && ack >= 0 && ack <= 5 ? ack : 1) as Ack,
    pollOptions: options && options.length > 0 ? options : null,
  };
}

/**
 * Merge a second sighting into the stored copy: stored values win unless they are empty; the ack
 * only moves forward. Returns null when nothing changes.
 */
export function mergeStored(current: StoredMessage, incoming: StoredMessage): StoredMessage | null {
  const merged: StoredMessage = {
    id: current.id,
    chatId: current.chatId || incoming.chatId,
    fromMe: current.fromMe,
    timestamp: current.timestamp || incoming.timestamp,
    type: current.type || incoming.type,
    body: current.body || incoming.body,
    caption: current.caption ?? incoming.caption,
    filename: current.filename ?? incoming.filename,
    mimetype: current.mimetype ?? incoming.mimetype,
    hasMedia: current.hasMedia || incoming.hasMedia ? 1 : 0,
    senderName: current.senderName || incoming.senderName,
    author: current.author ?? incoming.author,
    ack: mergeAck(current.ack, incoming.ack),
    pollOptions: current.pollOptions ?? incoming.pollOptions,
  };
  const same = (Object.keys(merged) as (keyof StoredMessage)[]).every(
    (k) => JSON.stringify(merged[k]) === JSON.stringify(current[k]),
  );
  return same ? null : merged;
}

/** Check a slot number coming from outside before it reaches SQL. */
export function validSlot(slot: unknown): slot is number {
  return typeof slot === 'number' && Number.isInteger(slot) && slot >= 1 && slot <= 1000;
}
