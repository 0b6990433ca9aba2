// Pure helpers for a chat's message list: merge rows without duplicates, oldest first, and work out
// which ack to show when the row and the live ack events disagree.
import type { Message } from '../api/types.js';
import { baseSeq, compareBySeq, SEQ_PER_SECOND } from '../../../bridge/domain/sequence.js';

/** Rows from any source (live, archive, broadcasts) → one list, oldest first, each id once. */
export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const m of current) byId.set(m.id, m);
  for (const m of incoming) {
    const old = byId.get(m.id);
    byId.set(m.id, old ? { ...old, ...m, ack: Math.max(old.ack, m.ack) as Message['ack'] } : m);
  }
  return [...byId.values()].sort(compareBySeq);
}

/**
 * The sequence of a message still being sent (no bridge number yet): after the real rows of its
 * second; local rows of one second then sort by their ids, which start with the time they were typed.
 */
export function localSeq(timestampSeconds: number): number {
  return baseSeq(timestampSeconds) + SEQ_PER_SECOND - 1;
}

/** Acks only move forward, except that 0 means the send failed. */
export function effectiveAck(rowAck: number, eventAck: number | undefined): number {
  if (eventAck === undefined) return rowAck;
  if (eventAck === 0) return 0;
  return Math.max(rowAck, eventAck);
}

export type MediaKind = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker' | 'poll' | 'text' | 'other';

export function mediaKind(m: Pick<Message, 'type' | 'hasMedia'>): MediaKind {
  switch (m.type) {
    case 'chat':
      return 'text';
    case 'image':
      return 'image';
    case 'video':
    case 'gif':
      return 'video';
    case 'audio':
      return 'audio';
    case 'ptt':
      return 'voice';
    case 'document':
      return 'document';
    case 'sticker':
      return 'sticker';
    case 'poll':
    case 'poll_creation':
      return 'poll';
    default:
      return m.hasMedia ? 'document' : m.type ? 'other' : 'text';
  }
}

/** WhatsApp puts a base64 JPEG thumbnail in the body of some media rows; show it when present. */
export function inlineThumbnail(body: string): string | null {
  if (body.length < 200 || /\s/.test(body.slice(0, 200))) return null;
  if (body.startsWith('/9j/')) return `data:image/jpeg;base64,${body}`;
  if (body.startsWith('iVBOR')) return `data:image/png;base64,${body}`;
  return null;
}
