// The demo engine: an in-process simulated WhatsApp account, for tests and for trying the app
// without a phone (WA_BRIDGE_ENGINE=demo). It behaves like a real account: a refreshing QR,
// a self-scan, acks that advance, echo replies, a poll voter, a few chats (one muted), and a
// pairing remembered in the slot folder so a restart restores without a QR. Its chat history is
// kept there too (as a phone keeps it), so "did this reach WhatsApp before the crash?" has an answer.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Ack, ArchivedMessage, ChatRow, MessageRow } from '../../domain/index.js';
import { BridgeError, isGroupChat, isMutedAt } from '../../domain/index.js';
import { profileDirOf } from '../profile.js';
import type { DownloadedMedia, EngineContext, EngineFactory, MediaInput, PollInput, SendOptions, WhatsAppEngine } from '../types.js';

export interface DemoOptions {
  /** Delay before the demo "phone" scans the QR. */
  scanMs: number;
  /** Interval between QR refreshes. */
  qrRefreshMs?: number;
  /** Interval between ack steps (1→2→3→4). */
  ackStepMs?: number;
  /** Delay before the echo reply / poll vote. */
  replyMs?: number;
  /**
   * Keep the pairing inside the slot's browser-profile folder (as real WhatsApp Web keeps it in
   * IndexedDB), so session snapshots carry it to another node (cluster mode).
   */
  sessionInProfile?: boolean;
}

const SESSION_FILE = 'demo-session.json';
/** One JSON message per line, appended as they happen. */
const HISTORY_FILE = 'demo-history.jsonl';
/** Numbers ending with these digits are "not on WhatsApp" in the demo. */
const NOT_ON_WHATSAPP_SUFFIX = '0000';

interface DemoChat {
  chatId: string;
  name: string;
  muteExpiration: number;
  unread: number;
  /** Oldest first; capped so a long demo run stays small. */
  messages: MessageRow[];
}

/** The demo keeps this many messages per chat in memory (it is a demo, not an archive). */
const KEEP_PER_CHAT = 1000;
/** …and the bytes of this many media messages ("WhatsApp's servers" for the demo). */
const KEEP_MEDIA = 200;

/** An incoming media message for the demo to receive (tests; the simulator does this for wwebjs). */
export interface IncomingMedia {
  data: Buffer;
  mimetype: string;
  filename?: string;
  caption?: string;
  durationMs?: number;
  /** WhatsApp's message type; derived from the mimetype when omitted. */
  type?: string;
  /** WhatsApp no longer serves the bytes (downloadMedia answers null). */
  expired?: boolean;
  /** The JPEG preview WhatsApp carries with images and videos (the demo hands it over as given). */
  thumbnail?: Buffer;
}

const hex = (bytes: number) => crypto.randomBytes(bytes).toString('hex').toUpperCase();
const now = () => Math.floor(Date.now() / 1000);

export class DemoEngine implements WhatsAppEngine {
  readonly kind = 'demo' as const;
  private timers = new Set<NodeJS.Timeout>();
  private running = false;
  private ready = false;
  private readonly chats = new Map<string, DemoChat>();
  private readonly media = new Map<string, DownloadedMedia | 'expired'>();
  private readonly ownNumber: string;

  constructor(
    private readonly ctx: EngineContext,
    private readonly opts: DemoOptions,
  ) {
    this.ownNumber = `1555000000${ctx.slot}`;
    if (!this.loadHistory()) this.seedChats();
  }

  private get historyFile() {
    return path.join(this.ctx.slotDir, HISTORY_FILE);
  }

  /** The history a previous run kept; false when there is none. */
  private loadHistory(): boolean {
    let text: string;
    try {
      text = fs.readFileSync(this.historyFile, 'utf8');
    } catch {
      return false;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const entry = JSON.parse(line) as { chat: { chatId: string; name: string; muteExpiration: number; unread?: number }; message?: MessageRow };
        const chat = this.chat(entry.chat.chatId);
        chat.name = entry.chat.name;
        chat.muteExpiration = entry.chat.muteExpiration;
        // The newest line holds the unread count, as a phone keeps it across restarts.
        if (typeof entry.chat.unread === 'number') chat.unread = entry.chat.unread;
        if (entry.message) chat.messages.push(entry.message);
      } catch {
        // a line torn by a crash
      }
    }
    for (const chat of this.chats.values()) chat.messages.splice(0, Math.max(0, chat.messages.length - KEEP_PER_CHAT));
    this.rewriteHistory();
    return true;
  }

  /** Write the kept history afresh (at start: drops what the cap removed). */
  private rewriteHistory(): void {
    const lines = [...this.chats.values()].flatMap((chat) => chat.messages.map((m) => this.historyLine(chat, m)));
    fs.mkdirSync(this.ctx.slotDir, { recursive: true });
    fs.writeFileSync(this.historyFile, lines.join(''));
  }

  /** One history line; without a message it only records the chat's state (read). */
  private historyLine(chat: DemoChat, message?: MessageRow): string {
    // Newline first as well: a line torn by a crash or a full disk cannot swallow the next one.
    const meta = { chatId: chat.chatId, name: chat.name, muteExpiration: chat.muteExpiration, unread: chat.unread };
    return '\n' + JSON.stringify(message ? { chat: meta, message } : { chat: meta }) + '\n';
  }

  private get sessionFile() {
    if (this.opts.sessionInProfile) return path.join(profileDirOf(this.ctx.dataDir, this.ctx.slot), 'Default', 'IndexedDB', SESSION_FILE);
    return path.join(this.ctx.slotDir, SESSION_FILE);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.running) fn();
    }, ms);
    this.timers.add(t);
  }

  private seedChats(): void {
    const t = now();
    const seed: [string, string, number, string][] = [
      ['962781523783@c.us', 'Omar Haddad', 0, 'مرحبا، هل الطلب جاهز؟'],
      ['447700900123@c.us', 'Sarah Jones', 0, 'Thanks, see you tomorrow!'],
      ['15550123456@c.us', 'Muted Supplier', -1, 'Price list updated'],
      ['120363025246125486@g.us', 'Family Group', 0, 'Dinner at 8'],
    ];
    seed.forEach(([chatId, name, muteExpiration, body], i) => {
      const msg: MessageRow = {
        id: `false_${chatId}_${hex(10)}`,
        chatId,
        body,
        fromMe: 0,
        timestamp: t - 3600 * (i + 1),
        type: 'chat',
        hasMedia: 0,
        senderName: name,
        ack: 4,
      };
      this.chats.set(chatId, { chatId, name, muteExpiration, unread: i === 0 ? 1 : 0, messages: [msg] });
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    fs.mkdirSync(this.ctx.slotDir, { recursive: true });
    // As the real engine does before its browser opens the profile (snapshot restore).
    await this.ctx.beforeLaunch?.();
    if (!fs.existsSync(this.historyFile)) this.rewriteHistory();
    const saved = this.savedSession();
    if (saved) {
      // The remembered pairing: the same account comes back without a QR.
      this.later(50, () => this.becomeReady(saved.phone));
      return;
    }
    this.emitQr();
    this.later(this.opts.scanMs, () => {
      this.savePairing();
      this.becomeReady();
    });
  }

  private savePairing(): void {
    const pairing: Record<string, unknown> = { pairedAt: Date.now(), phone: this.ownNumber };
    if (this.opts.sessionInProfile) {
      // Stand-in for the keys a real profile holds: a snapshot refuses a nearly empty profile.
      pairing.keys = crypto.randomBytes(1024).toString('base64');
      fs.mkdirSync(path.dirname(this.sessionFile), { recursive: true });
    }
    fs.writeFileSync(this.sessionFile, JSON.stringify(pairing));
  }

  private emitQr(): void {
    if (this.ready) return;
    this.ctx.emit({ type: 'qr', qr: `2@${crypto.randomBytes(24).toString('base64')},${hex(16)},demo` });
    this.later(this.opts.qrRefreshMs ?? 20_000, () => this.emitQr());
  }

  private savedSession(): { phone: string } | null {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.sessionFile, 'utf8')) as { phone?: unknown };
      return { phone: typeof parsed.phone === 'string' && /^\d{7,15}$/.test(parsed.phone) ? parsed.phone : this.ownNumber };
    } catch {
      return null; // none, or unreadable: pair again
    }
  }

  private becomeReady(phone = this.ownNumber): void {
    if (this.ready) return;
    this.ready = true;
    this.ctx.emit({ type: 'authenticated' });
    this.ctx.emit({ type: 'ready', phone, name: `Demo ${this.ctx.slot}` });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.ready = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  async logout(): Promise<void> {
    await this.stop();
    fs.rmSync(this.sessionFile, { force: true });
    fs.rmSync(this.historyFile, { force: true });
    this.ctx.emit({ type: 'disconnected', reason: 'LOGOUT' });
  }

  private requireReady(): void {
    if (!this.ready) throw new BridgeError('NOT_CONNECTED', `slot ${this.ctx.slot} is not ready`);
  }

  async resolvePhone(digits: string): Promise<string | null> {
    this.requireReady();
    return digits.endsWith(NOT_ON_WHATSAPP_SUFFIX) ? null : `${digits}@c.us`;
  }

  private chat(chatId: string): DemoChat {
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = { chatId, name: chatId.split('@')[0]!, muteExpiration: 0, unread: 0, messages: [] };
      this.chats.set(chatId, chat);
    }
    return chat;
  }

  /** Keep the phone's own copy and report the message; returns the copy (acks update it). */
  private record(chat: DemoChat, message: ArchivedMessage): MessageRow {
    const stored = { ...message };
    // On disk before anyone hears of it, as WhatsApp has a message once it gave it an id.
    fs.appendFileSync(this.historyFile, this.historyLine(chat, stored));
    chat.messages.push(stored);
    if (chat.messages.length > 2 * KEEP_PER_CHAT) chat.messages.splice(0, KEEP_PER_CHAT);
    this.ctx.emit({ type: 'message', message });
    return stored;
  }

  private tryRecord(chat: DemoChat, message: ArchivedMessage): void {
    try {
      this.record(chat, message);
    } catch (err) {
      this.ctx.logger.warn({ err: (err as Error).message }, 'demo: could not keep an incoming message');
    }
  }

  private outgoing(chatId: string, fields: Partial<ArchivedMessage> & { type: string; body: string }): ArchivedMessage {
    this.requireReady();
    const chat = this.chat(chatId);
    const message: ArchivedMessage = {
      id: `true_${chatId}_3EB0${hex(8)}`,
      chatId,
      fromMe: 1,
      timestamp: now(),
      hasMedia: 0,
      senderName: 'Me',
      ack: 1,
      ...fields,
    };
    this.advanceAcks(chat, this.record(chat, message));
    return message;
  }

  private advanceAcks(chat: DemoChat, message: MessageRow): void {
    const step = this.opts.ackStepMs ?? 800;
    for (const ack of [2, 3, 4] as Ack[]) {
      this.later(step * (ack - 1), () => {
        message.ack = ack;
        this.ctx.emit({ type: 'message_ack', update: { chatId: chat.chatId, messageId: message.id, ack } });
      });
    }
  }

  private incoming(chat: DemoChat, body: string): void {
    const sender = isGroupChat(chat.chatId) ? 'Aunt Mona' : chat.name;
    chat.unread += 1;
    // A "phone" whose disk is full does not get the reply (a send fails instead, as SEND_FAILED).
    this.tryRecord(chat, {
      id: `false_${chat.chatId}_${hex(10)}`,
      chatId: chat.chatId,
      body,
      fromMe: 0,
      timestamp: now(),
      type: 'chat',
      hasMedia: 0,
      senderName: sender,
      ack: 1,
    });
    this.ctx.emit({ type: 'chat_update', chat: this.toRow(chat) });
  }

  async sendText(chatId: string, text: string, _opts?: SendOptions): Promise<ArchivedMessage> {
    const message = this.outgoing(chatId, { type: 'chat', body: text });
    this.later(this.opts.replyMs ?? 1000, () => this.incoming(this.chat(chatId), `Echo: ${text}`));
    return message;
  }

  async sendMedia(chatId: string, media: MediaInput): Promise<ArchivedMessage> {
    const type = mediaType(media);
    const message = this.outgoing(chatId, {
      type,
      body: media.caption ?? '',
      hasMedia: 1,
      caption: media.caption ?? null,
      filename: media.filename ?? null,
      mimetype: media.mimetype,
    });
    this.keepMedia(message.id, { data: Buffer.from(media.base64, 'base64'), mimetype: media.mimetype, filename: media.filename ?? null });
    return message;
  }

  /** A contact sends this account a photo, voice note, video or document. */
  receiveMedia(chatId: string, media: IncomingMedia): ArchivedMessage {
    this.requireReady();
    const chat = this.chat(chatId);
    const message: ArchivedMessage = {
      id: `false_${chatId}_${hex(10)}`,
      chatId,
      body: media.caption ?? '',
      fromMe: 0,
      timestamp: now(),
      type: media.type ?? mediaType({ mimetype: media.mimetype, base64: '' }),
      hasMedia: 1,
      senderName: isGroupChat(chatId) ? 'Aunt Mona' : chat.name,
      ack: 1,
      caption: media.caption ?? null,
      filename: media.filename ?? null,
      mimetype: media.mimetype,
      durationMs: media.durationMs ?? null,
    };
    this.keepMedia(message.id, media.expired ? 'expired' : { data: media.data, mimetype: media.mimetype, filename: media.filename ?? null, thumbnail: media.thumbnail ?? null });
    chat.unread += 1;
    this.record(chat, message);
    this.ctx.emit({ type: 'chat_update', chat: this.toRow(chat) });
    return message;
  }

  private keepMedia(id: string, media: DownloadedMedia | 'expired'): void {
    this.media.set(id, media);
    if (this.media.size > KEEP_MEDIA) this.media.delete(this.media.keys().next().value!);
  }

  async downloadMedia(messageId: string): Promise<DownloadedMedia | null> {
    this.requireReady();
    const media = this.media.get(messageId);
    return media && media !== 'expired' ? { ...media } : null;
  }

  async sendPoll(chatId: string, poll: PollInput): Promise<ArchivedMessage> {
    const message = this.outgoing(chatId, { type: 'poll', body: poll.question, pollOptions: poll.options });
    this.later(this.opts.replyMs ?? 1000, () => {
      this.ctx.emit({
        type: 'poll_vote',
        vote: { chatId, messageId: message.id, voter: chatId, selectedOptions: [poll.options[0]!], timestamp: now() },
      });
    });
    return message;
  }

  private toRow(chat: DemoChat): ChatRow {
    const last = chat.messages.at(-1);
    return {
      chatId: chat.chatId,
      name: chat.name,
      isGroup: isGroupChat(chat.chatId),
      unreadCount: chat.unread,
      timestamp: last?.timestamp ?? 0,
      lastMessage: last ? last.body : null,
      isMuted: isMutedAt(chat.muteExpiration),
      muteExpiration: chat.muteExpiration,
    };
  }

  async getChats(limit: number): Promise<ChatRow[]> {
    this.requireReady();
    return [...this.chats.values()]
      .map((c) => this.toRow(c))
      .sort((a, b) => b.timestamp - a.timestamp)
      .slice(0, limit);
  }

  async getChat(chatId: string): Promise<ChatRow | null> {
    const chat = this.chats.get(chatId);
    return chat ? this.toRow(chat) : null;
  }

  async getMessages(chatId: string, limit: number, before?: string): Promise<MessageRow[]> {
    this.requireReady();
    const chat = this.chats.get(chatId);
    if (!chat) throw new BridgeError('NOT_FOUND', `no chat ${chatId} on slot ${this.ctx.slot}`);
    let list = [...chat.messages].reverse();
    if (before) {
      const at = list.findIndex((m) => m.id === before);
      if (at < 0) throw new BridgeError('NOT_FOUND', `no message ${before} in ${chatId}`);
      list = list.slice(at + 1);
    }
    return list.slice(0, limit).map((m) => ({ ...m }));
  }

  async markRead(chatId: string): Promise<void> {
    this.requireReady();
    const chat = this.chats.get(chatId);
    if (!chat) throw new BridgeError('NOT_FOUND', `no chat ${chatId} on slot ${this.ctx.slot}`);
    if (chat.unread === 0) return;
    chat.unread = 0;
    try {
      fs.appendFileSync(this.historyFile, this.historyLine(chat));
    } catch (err) {
      this.ctx.logger.warn({ err: (err as Error).message }, 'demo: could not keep a read mark');
    }
  }

  async getAvatarUrl(chatId: string): Promise<string | null> {
    this.requireReady();
    // Half of the demo contacts "hide" their picture, as real contacts do.
    const digits = chatId.replace(/\D/g, '');
    return Number(digits.at(-1)) % 2 === 0 ? null : `https://pps.whatsapp.net/demo/${digits}.jpg`;
  }

  async getState(): Promise<string> {
    return this.ready ? 'CONNECTED' : 'OPENING';
  }

  processInfo() {
    return { pid: null, rssBytes: null };
  }
}

function mediaType(media: MediaInput): string {
  const mime = media.mimetype.toLowerCase();
  if (mime.startsWith('image/')) return mime === 'image/webp' ? 'sticker' : 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return media.asVoice || mime.includes('opus') ? 'ptt' : 'audio';
  return 'document';
}

export function createDemoEngineFactory(opts: DemoOptions): EngineFactory {
  return (ctx) => new DemoEngine(ctx, opts);
}
