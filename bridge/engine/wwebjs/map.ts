// whatsapp-web.js objects → the bridge's domain rows. Pure functions over the plain fields the
// library's Message / Chat / PollVote carry, so they can be tested without a browser.
import { ackFromWhatsApp, isGroupChat, isMutedAt, type ArchivedMessage, type ChatRow, type PollVote } from '../../domain/index.js';

/** A serialized WhatsApp id as the library hands it over: a string or `{ _serialized }`. */
type WidLike = string | { _serialized?: string } | null | undefined;

export interface WaMessageLike {
  id: { _serialized: string; fromMe: boolean; remote?: WidLike };
  body?: string | null;
  type?: string;
  timestamp?: number;
  hasMedia?: boolean;
  ack?: number;
  from?: string;
  to?: string;
  author?: string | null;
  pollName?: string;
  /** Seconds, for audio and video (the library hands over a string). */
  duration?: string | number;
  pollOptions?: Array<string | { name: string }>;
  _data?: { notifyName?: string; caption?: string; filename?: string; mimetype?: string } | null;
}

export interface WaChatLike {
  id: { _serialized: string };
  name?: string | null;
  isGroup?: boolean;
  unreadCount?: number;
  timestamp?: number;
  muteExpiration?: number;
  lastMessage?: WaMessageLike | null;
}

export interface WaPollVoteLike {
  voter: string;
  selectedOptions: Array<{ name?: string | null; localId: number }>;
  interractedAtTs?: number;
  parentMessage?: WaMessageLike | null;
  parentMsgKey?: { _serialized?: string; remote?: WidLike } | null;
}

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker', 'ptv']);

function serialized(id: WidLike): string | null {
  if (!id) return null;
  return typeof id === 'string' ? id : (id._serialized ?? null);
}

/** The chat a message belongs to: its id's remote, else the other party. */
export function chatIdOf(msg: WaMessageLike): string {
  return serialized(msg.id.remote) ?? (msg.id.fromMe ? msg.to : msg.from) ?? '';
}

const digitsOf = (id: string | null | undefined) => (id ? id.split('@')[0]! : '');

/** WhatsApp's `poll_creation` shows as `poll`, as API.md promises. */
export function messageType(type: string | undefined): string {
  if (!type) return 'chat';
  return type === 'poll_creation' ? 'poll' : type;
}

export function pollOptionNames(options: WaMessageLike['pollOptions']): string[] | null {
  if (!options) return null;
  return options.map((o) => (typeof o === 'string' ? o : o.name));
}

function durationMs(seconds: string | number | undefined): number | null {
  const n = Number(seconds);
  return seconds !== undefined && seconds !== '' && Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : null;
}

export function toArchivedMessage(msg: WaMessageLike): ArchivedMessage {
  const type = messageType(msg.type);
  const chatId = chatIdOf(msg);
  const fromMe = msg.id.fromMe ? 1 : 0;
  // A just-sent media message has no download path yet, so the library says hasMedia=false.
  const hasMedia = msg.hasMedia || MEDIA_TYPES.has(type) ? 1 : 0;
  const isPoll = type === 'poll';
  const author = isGroupChat(chatId) ? (msg.author ?? null) : fromMe ? (msg.from ?? null) : chatId;
  const data = msg._data ?? {};
  return {
    id: msg.id._serialized,
    chatId,
    body: (isPoll ? msg.pollName : undefined) ?? msg.body ?? '',
    fromMe,
    timestamp: Math.floor(msg.timestamp ?? Date.now() / 1000),
    type,
    hasMedia,
    senderName: fromMe ? 'Me' : data.notifyName || digitsOf(msg.author ?? msg.from),
    ack: ackFromWhatsApp(msg.ack ?? 0),
    caption: hasMedia ? (data.caption ?? (msg.body || null)) : null,
    filename: data.filename ?? null,
    mimetype: data.mimetype ?? null,
    pollOptions: isPoll ? pollOptionNames(msg.pollOptions) : null,
    author,
    durationMs: durationMs(msg.duration),
  };
}

export function toChatRow(chat: WaChatLike, nowSeconds = Math.floor(Date.now() / 1000)): ChatRow {
  const chatId = chat.id._serialized;
  const muteExpiration = chat.muteExpiration ?? 0;
  const last = chat.lastMessage ? toArchivedMessage(chat.lastMessage) : null;
  return {
    chatId,
    name: chat.name || digitsOf(chatId),
    isGroup: chat.isGroup ?? isGroupChat(chatId),
    unreadCount: chat.unreadCount ?? 0,
    timestamp: chat.timestamp ?? last?.timestamp ?? 0,
    lastMessage: last ? last.body || (last.hasMedia ? `[${last.type}]` : null) : null,
    // Never the library's isMuted: it reads an expired mute as muted.
    isMuted: isMutedAt(muteExpiration, nowSeconds),
    muteExpiration,
  };
}

/** A vote → the API's poll_vote; option names from the poll when the vote lacks them. */
export function toPollVote(vote: WaPollVoteLike): PollVote | null {
  const parent = vote.parentMessage && vote.parentMessage.id ? vote.parentMessage : null;
  const messageId = parent?.id._serialized ?? vote.parentMsgKey?._serialized;
  if (!messageId) return null;
  const chatId = parent ? chatIdOf(parent) : (serialized(vote.parentMsgKey?.remote) ?? '');
  const names = pollOptionNames(parent?.pollOptions) ?? [];
  const selectedOptions = vote.selectedOptions.map((o) => o.name ?? names[o.localId] ?? String(o.localId));
  const ts = vote.interractedAtTs ?? Date.now();
  return {
    chatId,
    messageId,
    voter: vote.voter,
    selectedOptions,
    // The library gives milliseconds here; the API speaks seconds.
    timestamp: ts > 1e11 ? Math.floor(ts / 1000) : Math.floor(ts),
  };
}
