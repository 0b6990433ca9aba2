// Shared shapes of the bridge, as API.md defines them. Pure: no Node imports.

export const SLOT_STATES = ['STOPPED', 'STARTING', 'QR', 'AUTHENTICATED', 'READY', 'RECONNECTING', 'FAILED'] as const;
export type SlotState = (typeof SLOT_STATES)[number];

/** API ack: 0 failed, 1 pending, 2 sent, 3 delivered, 4 read, 5 played. */
export type Ack = 0 | 1 | 2 | 3 | 4 | 5;

/** A message row as the API shows it (archive, get_messages, new_message). */
export interface MessageRow {
  id: string;
  chatId: string;
  body: string;
  fromMe: 0 | 1;
  /** Unix seconds. */
  timestamp: number;
  /** WhatsApp's message type (`chat`, `image`, `ptt`, …); a poll is `poll`. */
  type: string;
  hasMedia: 0 | 1;
  senderName: string;
  ack: Ack;
}

/** What the archive keeps beyond the API row: searchable extras of media and polls. */
export interface ArchivedMessage extends MessageRow {
  caption?: string | null;
  filename?: string | null;
  mimetype?: string | null;
  /** For polls: the option names, in order. */
  pollOptions?: string[] | null;
  /** The sender's id in groups (`…@c.us`), otherwise the chat id or own id. */
  author?: string | null;
  /** Length of a voice note, audio or video, when WhatsApp says. */
  durationMs?: number | null;
}

/** A conversation row (get_conversations, GET /api/chats). */
export interface ChatRow {
  chatId: string;
  name: string;
  isGroup: boolean;
  unreadCount: number;
  /** Unix seconds of the last message. */
  timestamp: number;
  lastMessage: string | null;
  isMuted: boolean;
  /** Unix seconds; -1 muted forever; 0 not muted. */
  muteExpiration: number;
}

export interface PollVote {
  chatId: string;
  /** The poll message's serialized id. */
  messageId: string;
  voter: string;
  selectedOptions: string[];
  timestamp: number;
}

export interface AckUpdate {
  chatId: string;
  messageId: string;
  ack: Ack;
}

/** Where a message's media bytes stand in the bridge's media store. */
export type MediaStatus = 'stored' | 'expired' | 'failed';

/** What the archive keeps about a message's media (the bytes live in the media store). */
export interface MediaRecord {
  messageId: string;
  status: MediaStatus;
  /** Hex sha256 of the bytes: the file's name in the store. Null until stored. */
  sha256: string | null;
  /** Sniffed from the bytes when possible, else what WhatsApp declared. */
  mimetype: string | null;
  filename: string | null;
  size: number | null;
  durationMs: number | null;
  /** Unix seconds of the last change. */
  updatedAt: number;
}

/** The `media` object of API rows and events. */
export interface MediaInfo {
  mimetype: string | null;
  filename: string | null;
  size: number | null;
  durationMs?: number;
  /** `stored` (downloadable now), `pending` (being fetched), `expired` (WhatsApp no longer serves it). */
  status: 'stored' | 'pending' | 'expired';
  /** Path of the download route, relative to the bridge's address. */
  url: string;
  thumbUrl?: string;
}
