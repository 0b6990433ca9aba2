// What a push says: title, body preview and routing data for one chat's batch of new messages.
// Pure: no I/O, so the exact FCM request bodies are easy to test.
import type { TokenMessage } from 'firebase-admin/messaging';
import type { ChatRow, MessageRow } from '../domain/index.js';
import { isGroupChat } from '../domain/index.js';
import { previewOf, truncate } from '../domain/preview.js';

export { PREVIEW_MAX, previewOf, truncate } from '../domain/preview.js';

/** Messages of one chat collected within the coalescing window, oldest first. */
export interface PushBatch {
  slot: number;
  chatId: string;
  chat: Pick<ChatRow, 'name' | 'isGroup'> | null;
  /** The newest messages of the window (possibly capped), oldest first. */
  messages: MessageRow[];
  /** How many messages the window held in all. */
  count: number;
}

function phoneOf(chatId: string): string {
  const user = chatId.split('@')[0] ?? chatId;
  return /^\d+$/.test(user) ? `+${user}` : user;
}

/** Sender name for direct chats; "<group> · <sender>" for groups (group name alone for several senders). */
export function titleOf(batch: PushBatch): string {
  const last = batch.messages[batch.messages.length - 1]!;
  const group = batch.chat ? batch.chat.isGroup : isGroupChat(batch.chatId);
  if (!group) return truncate(batch.chat?.name || last.senderName || phoneOf(batch.chatId), 80);
  const groupName = batch.chat?.name || 'Group';
  const senders = new Set(batch.messages.map((m) => m.senderName));
  if (senders.size > 1 || !last.senderName) return truncate(groupName, 80);
  return truncate(`${groupName} · ${last.senderName}`, 80);
}

/** Per chat, so a burst replaces one notification on the phone instead of stacking. */
export function collapseKeyOf(slot: number, chatId: string): string {
  return `${slot}:${chatId}`;
}

/** The FCM v1 message for one device. */
export function buildPushMessage(batch: PushBatch, token: string): TokenMessage {
  const last = batch.messages[batch.messages.length - 1]!;
  const count = batch.count;
  const group = batch.chat ? batch.chat.isGroup : isGroupChat(batch.chatId);
  const key = collapseKeyOf(batch.slot, batch.chatId);
  const apnsHeaders: Record<string, string> = { 'apns-priority': group ? '5' : '10' };
  // APNs refuses collapse ids over 64 bytes; without one the phone simply stacks.
  if (Buffer.byteLength(key) <= 64) apnsHeaders['apns-collapse-id'] = key;
  return {
    token,
    notification: {
      title: titleOf(batch),
      body: count === 1 ? previewOf(last) : `${count} new messages`,
    },
    data: {
      slot: String(batch.slot),
      chatId: batch.chatId,
      messageId: last.id,
      type: last.type,
      count: String(count),
    },
    android: {
      collapseKey: key,
      priority: group ? 'normal' : 'high',
      notification: { tag: key },
    },
    apns: { headers: apnsHeaders },
  };
}
