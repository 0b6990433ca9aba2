// Where the "unread messages" divider goes when a chat opens: before the first of the last
// `unread` messages from the other side (the owner's own messages are never unread).
import type { Message } from '../api/types.js';

export function unreadDividerId(messages: Pick<Message, 'id' | 'fromMe'>[], unread: number): string | null {
  if (unread <= 0) return null;
  let left = unread;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.fromMe) continue;
    if (--left === 0) return messages[i]!.id;
  }
  // More unread than loaded: the divider sits above everything shown.
  return messages.find((m) => !m.fromMe)?.id ?? null;
}
