// Operations shared by REST routes and WebSocket commands, on parsed input.
import type { BridgeContext } from '../context.js';
import type { ChatRow, MessageRow } from '../domain/index.js';
import { BridgeError, chatIdForPhone, isChatId, normalisePhone } from '../domain/index.js';
import type { SendRequest, SendResult } from '../slots/messenger.js';
import type { SendMediaBody, SendPollBody, SendTextBody } from './schemas.js';

export const DEFAULT_LIST_LIMIT = 50;

function requireChatId(chatId: string): string {
  if (!isChatId(chatId)) throw new BridgeError('VALIDATION_ERROR', 'chatId: must be <number>@c.us or <group>@g.us');
  return chatId;
}

export function getConversations(ctx: BridgeContext, slot: number, limit: number): Promise<ChatRow[]> {
  return ctx.registry.get(slot).requireEngine().getChats(limit);
}

export async function searchConversations(ctx: BridgeContext, slot: number, query: string): Promise<ChatRow[]> {
  const needle = query.trim().toLowerCase();
  if (!needle) throw new BridgeError('VALIDATION_ERROR', 'query must not be empty');
  const digits = needle.replace(/\D/g, '');
  const chats = await ctx.registry.get(slot).requireEngine().getChats(10_000);
  return chats.filter((c) => c.name.toLowerCase().includes(needle) || (digits.length >= 3 && c.chatId.includes(digits)));
}

export async function getMessages(ctx: BridgeContext, slot: number, chatId: string, limit: number, before?: string): Promise<MessageRow[]> {
  const engine = ctx.registry.get(slot).requireEngine();
  return ctx.media.describe(slot, await engine.getMessages(requireChatId(chatId), limit, before));
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

const common = (b: SendTextBody | SendMediaBody | SendPollBody) => ({
  slot: b.slot,
  phone: b.phone,
  chatId: b.chatId,
  idempotencyKey: b.idempotencyKey,
  queue: b.queue,
});

export function sendText(ctx: BridgeContext, b: SendTextBody): Promise<SendResult> {
  return ctx.messenger.send({ ...common(b), content: { kind: 'text', text: b.message, quotedMessageId: b.quotedMessageId } });
}

export function sendMedia(ctx: BridgeContext, b: SendMediaBody): Promise<SendResult> {
  const { base64, mimetype, filename, caption, asVoice } = b;
  return ctx.messenger.send({ ...common(b), content: { kind: 'media', media: { base64, mimetype, filename, caption, asVoice } } });
}

export function sendPoll(ctx: BridgeContext, b: SendPollBody): Promise<SendResult> {
  const poll = { question: b.question, options: b.options, allowMultiple: b.allowMultiple ?? false };
  return ctx.messenger.send({ ...common(b), content: { kind: 'poll', poll } } satisfies SendRequest);
}
