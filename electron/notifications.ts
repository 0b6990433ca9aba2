// Which incoming messages become an OS notification, and its words. Only while the window is
// out of sight; never for my own messages or a chat muted right now.
import { isMutedAt } from '../bridge/domain/index.js';
import type { BridgeEvent } from '../bridge/types.js';

type NewMessage = Extract<BridgeEvent, { type: 'new_message' }>;

export interface DesktopNotification {
  title: string;
  body: string;
  slot: number;
  chatId: string;
}

const PREVIEWS: Record<string, string> = {
  image: '📷 Photo',
  video: '🎥 Video',
  audio: '🎵 Audio',
  ptt: '🎤 Voice message',
  document: '📄 Document',
  sticker: 'Sticker',
  location: '📍 Location',
  vcard: '👤 Contact',
  multi_vcard: '👤 Contacts',
  poll: '📊 Poll',
};

const MAX_BODY = 120;

/** A short text for the message: its text, or a label for media, cut to one line. */
export function previewText(message: Pick<NewMessage['message'], 'type' | 'body'>): string {
  const text = message.body.replace(/\s+/g, ' ').trim();
  const label = PREVIEWS[message.type];
  const base = message.type === 'chat' ? text : label ? (text ? `${label}: ${text}` : label) : text || 'New message';
  return base.length > MAX_BODY ? `${base.slice(0, MAX_BODY - 1)}…` : base;
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
