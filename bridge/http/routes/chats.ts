// Live chats of a ready slot: conversations, messages, mark read, avatar.
import { Router } from 'express';
import { z } from 'zod';
import * as commands from '../../api/commands.js';
import { CURSOR_PATTERN, decodeCursor, type ChatPageQuery } from '../../api/chat-pages.js';
import { chatBody, limitParam, parseOrThrow, querySlot } from '../../api/schemas.js';
import type { BridgeContext } from '../../context.js';
import { guard } from '../auth.js';

/** Paging and filter of a chat list (live here, archived in archive.ts). */
export const chatPageParams = {
  limit: limitParam(500, commands.DEFAULT_LIST_LIMIT),
  before: z
    .string({ error: 'before must be text' })
    .regex(CURSOR_PATTERN, 'before must be the nextBefore of the previous page, such as 1779118652:962781523783@c.us')
    .optional(),
  q: z.string({ error: 'q must be text' }).max(100, 'q is longer than 100 characters').optional(),
};
const chatsQuery = z.object({ slot: querySlot, ...chatPageParams });

/** The parsed paging params as a page query. */
export function chatPageQuery(q: { limit: number; before?: string; q?: string }): ChatPageQuery {
  return { limit: q.limit, before: q.before ? decodeCursor(q.before)! : undefined, q: q.q?.trim() || undefined };
}
const messagesQuery = z.object({
  slot: querySlot,
  chatId: z.string({ error: 'chatId is required' }).min(1),
  limit: limitParam(500, commands.DEFAULT_LIST_LIMIT),
  before: z.string().min(1).optional(),
});
const avatarQuery = z.object({ slot: querySlot, phone: z.string({ error: 'phone is required' }).min(1) });

export function chatRoutes(ctx: BridgeContext): Router {
  const r = Router();
  r.get('/chats', async (req, res) => {
    const q = parseOrThrow(chatsQuery, req.query);
    guard(res, 'read', q.slot);
    const page = await commands.pageConversations(ctx, q.slot, chatPageQuery(q));
    res.json({ success: true, slot: q.slot, data: page.rows, nextBefore: page.nextBefore });
  });
  r.get('/messages', async (req, res) => {
    const q = parseOrThrow(messagesQuery, req.query);
    guard(res, 'read', q.slot);
    res.json({ success: true, slot: q.slot, chatId: q.chatId, data: await commands.getMessages(ctx, q.slot, q.chatId, q.limit, q.before) });
  });
  r.post('/mark-read', async (req, res) => {
    const b = parseOrThrow(chatBody, req.body);
    guard(res, 'read', b.slot);
    res.json({ success: true, ...(await commands.markRead(ctx, b.slot, b.chatId)) });
  });
  r.get('/avatar', async (req, res) => {
    const q = parseOrThrow(avatarQuery, req.query);
    guard(res, 'read', q.slot);
    res.json({ success: true, avatarUrl: await commands.avatarUrl(ctx, q.slot, q.phone) });
  });
  return r;
}
