// Operations shared by REST routes and WebSocket commands, on parsed input.
import type { BridgeContext } from '../context.js';
import type { ChatRow, MessageRow } from '../domain/index.js';
import { BridgeError, chatIdForPhone, isChatId, normalisePhone } from '../domain/index.js';
import type { SendRequest, SendResult } from '../slots/messenger.js';
import type { QrImage } from '../slots/qr.js';
import type { BridgeEvent } from '../types.js';
import { pageChats, type ChatPage, type ChatPageQuery } from './chat-pages.js';
import type { SendMediaBody, SendPollBody, SendTextBody } from './schemas.js';

export const DEFAULT_LIST_LIMIT = 50;

/** Who asked, for the audit log. */
export interface Actor {
  id: string;
  ip: string | null;
}

/** Start a slot (a slot already starting or ready is left alone). */
export function connectSlot(ctx: BridgeContext, slot: number, actor: Actor): void {
  ctx.registry.get(slot).connect();
  ctx.audit.record(actor.id, 'connect', { slot }, actor.ip);
}

/** Stop a slot; with logout, also end its WhatsApp session. */
export async function disconnectSlot(ctx: BridgeContext, slot: number, logout: boolean, actor: Actor): Promise<void> {
  await ctx.registry.get(slot).disconnect(logout);
  ctx.audit.record(actor.id, logout ? 'logout' : 'disconnect', { slot }, actor.ip);
}

/** The QR waiting to be scanned: QR_EXPIRED when the last one expired, null when there is none. */
export function currentQr(ctx: BridgeContext, n: number): QrImage | null {
  const slot = ctx.registry.get(n);
  const qr = slot.qr;
  if (slot.qrExpired || (qr && qr.expiresAt < Date.now() / 1000 && slot.state !== 'QR')) {
    throw new BridgeError('QR_EXPIRED', `the QR of slot ${slot.number} expired; connect again for a new one`);
  }
  return qr && slot.state === 'QR' ? qr : null;
}

/** WhatsApp's server accepted a message: one grey tick (API ack 2) or more. */
export const SERVER_ACK = 2;
export const TEST_ACK_TIMEOUT_MS = 15_000;

function testText(slot: number): string {
  return `WA Bridge test message (slot ${slot}) at ${new Date().toISOString()}`;
}

/** Send the short, labelled test text now (never queued). */
export function testConnection(ctx: BridgeContext, slot: number, phone: string): Promise<SendResult> {
  return sendText(ctx, { slot, phone, message: testText(slot), queue: false });
}

/**
 * Send the test text and wait until WhatsApp's server accepted it; SEND_FAILED when it reports
 * a failure or says nothing within the timeout.
 */
export async function testConnectionAcked(ctx: BridgeContext, slot: number, phone: string, timeoutMs = TEST_ACK_TIMEOUT_MS): Promise<string> {
  // Listen before sending: an ack may overtake the send's own reply.
  const acks = new Map<string, number>();
  let settle: ((ack: number) => void) | null = null;
  let wanted: string | null = null;
  const unsubscribe = ctx.events.subscribe((event: BridgeEvent) => {
    if (event.type !== 'message_ack' || event.slot !== slot) return;
    if (event.messageId === wanted) settle?.(event.ack);
    else acks.set(event.messageId, event.ack);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await testConnection(ctx, slot, phone);
    if (!('messageId' in result)) throw new BridgeError('NOT_CONNECTED', `slot ${slot} is not ready`);
    wanted = result.messageId;
    const early = acks.get(wanted);
    const ack =
      early !== undefined && (early >= SERVER_ACK || early === 0)
        ? early
        : await new Promise<number>((resolve) => {
            settle = (a) => {
              if (a >= SERVER_ACK || a === 0) resolve(a);
            };
            timer = setTimeout(() => resolve(-1), timeoutMs);
          });
    if (ack === 0) throw new BridgeError('SEND_FAILED', 'WhatsApp reported the test message as failed');
    if (ack < 0) throw new BridgeError('SEND_FAILED', `WhatsApp did not accept the test message within ${Math.round(timeoutMs / 1000)} s`);
    return wanted;
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
}

function requireChatId(chatId: string): string {
  if (!isChatId(chatId)) throw new BridgeError('VALIDATION_ERROR', 'chatId: must be <number>@c.us or <group>@g.us');
  return chatId;
}

export function getConversations(ctx: BridgeContext, slot: number, limit: number): Promise<ChatRow[]> {
  return ctx.registry.get(slot).requireEngine().getChats(limit);
}

/** All chats of a slot the engine knows (engines list every chat anyway; they only cut the list). */
const EVERY_CHAT = 1_000_000;

/** Every live chat of a slot (the engine keeps the listing a few seconds: engine/chat-list-cache.ts). */
function everyChat(ctx: BridgeContext, slot: number): Promise<ChatRow[]> {
  return ctx.registry.get(slot).requireEngine().getChats(EVERY_CHAT);
}

/** A page of a slot's live chats: after a cursor and/or filtered by name or number. */
export async function pageConversations(ctx: BridgeContext, slot: number, query: ChatPageQuery): Promise<ChatPage> {
  return pageChats(await everyChat(ctx, slot), query);
}

/** Every chat matching `query`, newest first: the same rule as `GET /api/chats?q=` (chat-pages.ts). */
export async function searchConversations(ctx: BridgeContext, slot: number, query: string): Promise<ChatRow[]> {
  if (!query.trim()) throw new BridgeError('VALIDATION_ERROR', 'query must not be empty');
  return pageChats(await everyChat(ctx, slot), { limit: EVERY_CHAT, q: query }).rows;
}

export async function getMessages(ctx: BridgeContext, slot: number, chatId: string, limit: number, before?: string): Promise<MessageRow[]> {
  const engine = ctx.registry.get(slot).requireEngine();
  return ctx.sequence.assignPage(slot, await ctx.media.describe(slot, await engine.getMessages(requireChatId(chatId), limit, before)));
}

export async function markRead(ctx: BridgeContext, slot: number, chatId: string): Promise<{ ok: true }> {
  await ctx.registry.get(slot).requireEngine().markRead(requireChatId(chatId));
  return { ok: true };
}

export async function avatarUrl(ctx: BridgeContext, slot: number, phone: string): Promise<string | null> {
  const engine = ctx.registry.get(slot).requireEngine();
  const chatId = phone.includes('@') ? requireChatId(phone) : chatIdForPhone(normalisePhone(phone));
  return engine.getAvatarUrl(chatId);
}

/**
 * How a send without `queue` behaves while its slot reconnects: REST and GraphQL keep it in the
 * outbox (seed 001: queue messages during connection issues); WebSocket commands answer
 * NOT_CONNECTED as they always did, so paired phones see the replies they know.
 */
export interface SendDefaults {
  queueWhileReconnecting: boolean;
}
export const QUEUE_WHILE_RECONNECTING: SendDefaults = { queueWhileReconnecting: true };
const NO_DEFAULT_QUEUE: SendDefaults = { queueWhileReconnecting: false };

const common = (b: SendTextBody | SendMediaBody | SendPollBody, d: SendDefaults) => ({
  slot: b.slot,
  phone: b.phone,
  chatId: b.chatId,
  idempotencyKey: b.idempotencyKey,
  queue: b.queue,
  queueWhileReconnecting: d.queueWhileReconnecting,
});

export function sendText(ctx: BridgeContext, b: SendTextBody, d = NO_DEFAULT_QUEUE): Promise<SendResult> {
  return ctx.messenger.send({ ...common(b, d), content: { kind: 'text', text: b.message, quotedMessageId: b.quotedMessageId } });
}

export function sendMedia(ctx: BridgeContext, b: SendMediaBody, d = NO_DEFAULT_QUEUE): Promise<SendResult> {
  const { base64, mimetype, filename, caption, asVoice, asSticker } = b;
  return ctx.messenger.send({ ...common(b, d), content: { kind: 'media', media: { base64, mimetype, filename, caption, asVoice, asSticker } } });
}

export function sendPoll(ctx: BridgeContext, b: SendPollBody, d = NO_DEFAULT_QUEUE): Promise<SendResult> {
  const poll = { question: b.question, options: b.options, allowMultiple: b.allowMultiple ?? false };
  return ctx.messenger.send({ ...common(b, d), content: { kind: 'poll', poll } } satisfies SendRequest);
}
