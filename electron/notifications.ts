// Which incoming messages become an OS notification, and its words. Only while the window is
// out of sight; never for my own messages or a chat muted right now.
import { isMutedAt } from '../bridge/domain/index.js';
import { previewOf } from '../bridge/domain/preview.js';
import type { BridgeEvent } from '../bridge/types.js';

type NewMessage = Extract<BridgeEvent, { type: 'new_message' }>;

export interface DesktopNotification {
  title: string;
  body: string;
  slot: number;
  chatId: string;
}

/** A short text for the message, worded as the phones' pushes word it. */
export function previewText(message: Pick<NewMessage['message'], 'type' | 'body' | 'hasMedia'>): string {
  return previewOf(message);
}

export interface WindowView {
  /** Visible and not minimised. */
  visible: boolean;
  focused: boolean;
}

/** The notification to show for an event, or null. */
export function notificationFor(event: BridgeEvent, view: WindowView, nowSeconds = Math.floor(Date.now() / 1000)): DesktopNotification | null {
  if (event.type !== 'new_message') return null;
  const { message, chat, slot } = event;
  if (message.fromMe) return null;
  if (view.visible && view.focused) return null;
  if (chat && isMutedAt(chat.muteExpiration, nowSeconds)) return null;
  const sender = message.senderName || chat?.name || message.chatId.split('@')[0]!;
  const title = chat?.isGroup && chat.name ? `${sender} @ ${chat.name}` : sender;
  return { title, body: previewText(message), slot, chatId: message.chatId };
}
