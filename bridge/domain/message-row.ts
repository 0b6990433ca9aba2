// The API's message row (API.md: new_message, get_messages, archive) from any richer message:
// the seed's fields in their order, plus a poll's options and a media object. Written once for every producer.
import type { MediaInfo, MessageRow } from './types.js';

export type ApiMessageRow = MessageRow & { pollOptions?: string[]; media?: MediaInfo };

export function apiMessageRow(m: MessageRow & { pollOptions?: string[] | null; media?: MediaInfo }): ApiMessageRow {
  const { id, chatId, body, fromMe, timestamp, type, hasMedia, senderName, ack } = m;
  const row: ApiMessageRow = { id, body, fromMe, timestamp, type, hasMedia, senderName, ack, chatId };
  if (type === 'poll' && m.pollOptions) row.pollOptions = m.pollOptions;
  if (m.media) row.media = m.media;
  return row;
}
