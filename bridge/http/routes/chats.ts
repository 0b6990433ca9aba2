// Live chats of a ready slot: conversations, messages, mark read, avatar.
import { Router } from 'express';
import { z } from 'zod';
import * as commands from '../../api/commands.js';
import { chatBody, limitParam, parseOrThrow, querySlot } from '../../api/schemas.js';
import type { BridgeContext } from '../../context.js';
import { guard } from '../auth.js';

const chatsQuery = z.object({ slot: querySlot, limit: limitParam(500, commands.DEFAULT_LIST_LIMIT) });
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
    res.json({ success: true, slot: q.slot, data: await commands.getConversations(ctx, q.slot, q.limit) });
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
