// The WhatsApp engine seam: one engine instance per slot (account). Two implementations:
// `wwebjs` (whatsapp-web.js in its own Chromium) and `demo` (an in-process simulated account).
// Engines know nothing of HTTP, WebSocket or the archive; they report events to the Slot.
import type { Logger } from 'pino';
import type { AckUpdate, ArchivedMessage, ChatRow, MessageRow, PollVote } from '../domain/index.js';

export type EngineEvent =
  /** A QR to scan: the raw string WhatsApp wants encoded (the Slot renders PNG/SVG). */
  | { type: 'qr'; qr: string }
  | { type: 'authenticated' }
  | { type: 'ready'; phone: string | null; name: string | null }
  /** The session ended. `reason` is WhatsApp's (`LOGOUT`, `CONFLICT`, …) or the engine's own. */
  | { type: 'disconnected'; reason: string }
  /** The browser or page died or hung: the Slot's supervisor decides whether to restart. */
  | { type: 'failure'; error: string }
  /** The page crashed and the engine is reloading it in the same browser (no relaunch yet). */
  | { type: 'recovering'; reason: string }
  /** A message in or out (including ones sent from the phone itself). */
  | { type: 'message'; message: ArchivedMessage }
  | { type: 'message_ack'; update: AckUpdate }
  | { type: 'poll_vote'; vote: PollVote }
  /** A message edited or deleted for everyone. */
  | { type: 'message_edit'; chatId: string; messageId: string; body: string }
  | { type: 'message_revoke'; chatId: string; messageId: string }
  /** A chat changed in a way push needs to know (mute, unread). */
  | { type: 'chat_update'; chat: ChatRow };

export interface SendOptions {
  quotedMessageId?: string;
}

export interface MediaInput {
  base64: string;
  mimetype: string;
  filename?: string;
  caption?: string;
  /** Send audio as a voice note (push-to-talk). */
  asVoice?: boolean;
}

/** A message's media bytes as WhatsApp serves them. */
export interface DownloadedMedia {
  data: Buffer;
  /** What WhatsApp declares (the media store checks it against the bytes). */
  mimetype: string;
  filename: string | null;
  /** The small JPEG preview WhatsApp carries with an image or video message, when it has one. */
  thumbnail?: Buffer | null;
}

export interface PollInput {
  question: string;
  options: string[];
  allowMultiple: boolean;
}

export interface EngineProcessInfo {
  /** The browser's main pid, when the engine runs a browser. */
  pid: number | null;
  /** Resident memory of the engine's browser tree in bytes, when known. */
  rssBytes: number | null;
  /**
   * Proportional set size of the browser tree (shared pages split between their users), when
   * known. Summed RSS counts shared pages once per process (several times the truth for a
   * Chromium tree), so memory limits should prefer this figure.
   */
  pssBytes?: number | null;
  /** Which figure the memory guard compares: 'pss' (Linux) or 'rss' (Windows' working set, macOS' RSS). */
  memoryMeasure?: 'pss' | 'rss' | null;
}

export interface WhatsAppEngine {
  readonly kind: 'wwebjs' | 'demo';
  /** Launch and begin the login flow. Resolves once launched; progress comes as events. */
  start(): Promise<void>;
  /** Close everything (browser included) without logging out. Idempotent. */
  stop(): Promise<void>;
  /** Log the account out and delete the stored session. */
  logout(): Promise<void>;

  /** `…@c.us` of a phone's digits if that number is on WhatsApp, else null. */
  resolvePhone(digits: string): Promise<string | null>;
  sendText(chatId: string, text: string, opts?: SendOptions): Promise<ArchivedMessage>;
  sendMedia(chatId: string, media: MediaInput, opts?: SendOptions): Promise<ArchivedMessage>;
  sendPoll(chatId: string, poll: PollInput): Promise<ArchivedMessage>;
  /**
   * The bytes of a message's media. Null when WhatsApp no longer serves them (expired or
   * deleted from its servers); throws when they cannot be fetched right now.
   */
  downloadMedia(messageId: string): Promise<DownloadedMedia | null>;

  /** Newest first. */
  getChats(limit: number): Promise<ChatRow[]>;
  getChat(chatId: string): Promise<ChatRow | null>;
  /** Newest first; `before` is a message id to page back from. */
  getMessages(chatId: string, limit: number, before?: string): Promise<MessageRow[]>;
  markRead(chatId: string): Promise<void>;
  getAvatarUrl(chatId: string): Promise<string | null>;
  /** A liveness probe; must settle (the supervisor applies its own timeout). */
  getState(): Promise<string>;
  processInfo(): EngineProcessInfo;
}

export interface EngineContext {
  slot: number;
  /** The slot's own folder in the data dir (session, pid file, browser profile live under it). */
  slotDir: string;
  dataDir: string;
  logger: Logger;
  emit: (event: EngineEvent) => void;
  /**
   * Runs before the browser launches on the slot's profile (snapshot restore). It must not
   * throw: a failure is reported on the slot, and the launch goes on to a QR.
   */
  beforeLaunch?: () => Promise<void>;
  /** Told of each browser process group the engine launches and closes (cluster mode's lifeline). */
  browserWatch?: { launched(pid: number): void; exited(pid: number): void };
  /** Cluster mode: arms the page's dead-man switch once WhatsApp Web is loaded; returns the disarm. */
  pageGuard?: (page: unknown) => () => void;
}

export type EngineFactory = (ctx: EngineContext) => WhatsAppEngine;
