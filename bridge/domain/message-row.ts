// The API's message row (API.md: new_message, get_messages, archive) from any richer message:
// the seed's fields in their order, plus a poll's options. Written once for every producer.
import type { MessageRow } from './types.js';

export type ApiMessageRow = MessageRow & { pollOptions?: string[] };

export function apiMessageRow(m: MessageRow & { pollOptions?: string[] | null }): ApiMessageRow {
  const { id, chatId, body, fromMe, timestamp, type, hasMedia, senderName, ack, seq } = m;
  const row: MessageRow = { id, body, fromMe, timestamp, type, hasMedia, senderName, ack, chatId, ...(seq !== undefined ? { seq } : {}) };
  return type === 'poll' && m.pollOptions ? { ...row, pollOptions: m.pollOptions } : row;
}
