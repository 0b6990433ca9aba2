// A `messages` row as both backends select it, and its two readings: the stored shape (for
// merging a later copy) and the API's archive row.
import { baseSeq, type Ack } from '../domain/index.js';
import type { StoredMessage } from './ops.js';
import type { ArchiveRow } from './types.js';

export interface MessageDbRow {
  pk: number;
  slot: number;
  id: string;
  chat_id: string;
  from_me: number;
  timestamp: number;
  type: string;
  body: string;
  caption: string | null;
  filename: string | null;
  mimetype: string | null;
  has_media: number;
  sender_name: string;
  author: string | null;
  ack: number;
  edited_at: number | null;
  revoked_at: number | null;
  seq: number | null;
}

export const MESSAGE_COLUMNS = `m.pk, m.slot, m.id, m.chat_id, m.from_me, m.timestamp, m.type, m.body, m.caption, m.filename,
  m.mimetype, m.has_media, m.sender_name, m.author, m.ack, m.edited_at, m.revoked_at, m.seq`;

// MySQL may hand BIGINT columns back as strings; Number() reads both backends alike.
const optNumber = (v: number | null): number | null => (v === null ? null : Number(v));

const seqOf = (r: MessageDbRow): number => optNumber(r.seq) || baseSeq(Number(r.timestamp ?? 0));

export function storedFromRow(r: MessageDbRow, pollOptions: string[] | null): StoredMessage {
  return {
    id: r.id,
    chatId: r.chat_id ?? '',
    fromMe: r.from_me ? 1 : 0,
    timestamp: Number(r.timestamp ?? 0),
    type: r.type ?? 'chat',
    body: r.body ?? '',
    caption: r.caption,
    filename: r.filename,
    mimetype: r.mimetype,
    hasMedia: r.has_media ? 1 : 0,
    senderName: r.sender_name ?? '',
    author: r.author,
    ack: (r.ack ?? 1) as Ack,
    pollOptions,
    seq: seqOf(r),
  };
}

/** `pollOptions` matters only for polls (null otherwise). */
export function archiveRowFrom(r: MessageDbRow, pollOptions: string[] | null): ArchiveRow {
  return {
    id: r.id,
    chatId: r.chat_id ?? '',
    body: r.body ?? '',
    fromMe: r.from_me ? 1 : 0,
    timestamp: Number(r.timestamp ?? 0),
    type: r.type ?? 'chat',
    hasMedia: r.has_media ? 1 : 0,
    senderName: r.sender_name ?? '',
    ack: (r.ack ?? 1) as Ack,
    slot: r.slot,
    caption: r.caption,
    filename: r.filename,
    mimetype: r.mimetype,
    author: r.author,
    pollOptions: r.type === 'poll' ? pollOptions : null,
    editedAt: optNumber(r.edited_at),
    revokedAt: optNumber(r.revoked_at),
    seq: seqOf(r),
  };
}
