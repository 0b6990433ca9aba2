// One message as a notification line (phone pushes and desktop notifications alike): its text,
// or a label for its media type. Pure.
import type { MessageRow } from './types.js';

export const PREVIEW_MAX = 120;

// [emoji, word] per WhatsApp message type; a caption replaces the word, as WhatsApp itself shows it.
const MEDIA_LABELS: Record<string, [string, string]> = {
  image: ['📷', 'Photo'],
  video: ['🎥', 'Video'],
  audio: ['🎵', 'Audio'],
  ptt: ['🎤', 'Voice message'],
  document: ['📄', 'Document'],
  sticker: ['💟', 'Sticker'],
  location: ['📍', 'Location'],
  vcard: ['👤', 'Contact'],
  multi_vcard: ['👥', 'Contacts'],
  poll: ['📊', 'Poll'],
  poll_creation: ['📊', 'Poll'],
  call_log: ['📞', 'Call'],
};

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Cut to at most `max` user-perceived characters, never splitting an emoji or a combining mark. */
export function truncate(text: string, max = PREVIEW_MAX): string {
  const parts = Array.from(graphemes.segment(text), (s) => s.segment);
  if (parts.length <= max) return text;
  return parts.slice(0, max - 1).join('').trimEnd() + '…';
}

/** One message as a notification line: its text, or a label for its media type. */
export function previewOf(message: Pick<MessageRow, 'type' | 'body' | 'hasMedia'>): string {
  const text = message.body.replace(/\s+/g, ' ').trim();
  const label = MEDIA_LABELS[message.type] ?? (message.hasMedia ? ['📎', 'Attachment'] : undefined);
  if (!label) return truncate(text || 'New message');
  return truncate(text ? `${label[0]} ${text}` : `${label[0]} ${label[1]}`);
}
