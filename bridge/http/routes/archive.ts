// The archive: a chat's stored history and full-text search (API.md).
import { Router } from 'express';
import { z } from 'zod';
import { limitParam, offsetParam, parseOrThrow, querySlot } from '../../api/schemas.js';
import type { ArchiveRow } from '../../archive/types.js';
import type { BridgeContext } from '../../context.js';
import { BridgeError, apiMessageRow, type MediaInfo } from '../../domain/index.js';
import { callerOf, guard } from '../auth.js';
import { pageChats } from '../../api/chat-pages.js';
import { chatPageParams, chatPageQuery } from './chats.js';

const archiveQuery = z.object({
  slot: querySlot,
  chatId: z.string({ error: 'chatId is required' }).min(1, 'chatId is required'),
  limit: limitParam(500, 50),
  offset: offsetParam,
});
const searchQuery = z.object({
  slot: querySlot.optional(),
  query: z.string({ error: 'query is required' }).max(500, 'query is longer than 500 characters'),
  limit: limitParam(500, 50),
  offset: offsetParam,
  order: z.enum(['relevance', 'newest'], { error: 'order must be relevance or newest' }).optional(),
  chatId: z.string({ error: 'chatId must be text' }).min(1, 'chatId must not be empty').max(200, 'chatId is longer than 200 characters').optional(),
  from: secondsParam('from'),
  to: secondsParam('to'),
}).refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
const archiveChatsQuery = z.object({ slot: querySlot, ...chatPageParams });
/** A unix-seconds bound of a date range. */
function secondsParam(name: string) {
  return z
    .string({ error: `${name} must be unix seconds` })
    .regex(/^\d{1,12}$/, `${name} must be unix seconds, a whole number such as 1779118652`)
    .transform(Number)
    .optional();
}
const pollQuery = z.object({ slot: querySlot, messageId: z.string({ error: 'messageId is required' }).min(1) });

/** The API row: the seed's fields first, then the extras. */
function apiRow(row: ArchiveRow & { media?: MediaInfo }, withSlot: boolean) {
  return withSlot ? { ...apiMessageRow(row), slot: row.slot } : apiMessageRow(row);
}

/** Rows (of one or several slots) with their `media` objects, order kept. */
async function withMedia(ctx: BridgeContext, rows: ArchiveRow[]): Promise<(ArchiveRow & { media?: MediaInfo })[]> {
  const slots = [...new Set(rows.filter((r) => r.hasMedia).map((r) => r.slot))];
  const described = new Map<ArchiveRow, ArchiveRow & { media?: MediaInfo }>();
  for (const slot of slots) {
    const ofSlot = rows.filter((r) => r.slot === slot);
    (await ctx.media.describe(slot, ofSlot)).forEach((d, i) => described.set(ofSlot[i]!, d));
  }
  return rows.map((r) => described.get(r) ?? r);
}

export function archiveRoutes(ctx: BridgeContext): Router {
  const r = Router();

  r.get('/archive', async (req, res) => {
    const q = parseOrThrow(archiveQuery, req.query);
    ctx.registry.get(q.slot);
    guard(res, 'read', q.slot);
    const rows = await ctx.archive.listMessages(q.slot, q.chatId, q.limit, q.offset);
    res.json({ success: true, slot: q.slot, chatId: q.chatId, data: (await withMedia(ctx, rows)).map((row) => apiRow(row, false)) });
  });

  // A slot's chats as the archive holds them: readable while the number is stopped.
  r.get('/archive/chats', async (req, res) => {
    const q = parseOrThrow(archiveChatsQuery, req.query);
    ctx.registry.get(q.slot);
    guard(res, 'read', q.slot);
    const page = pageChats(await ctx.archive.listChats(q.slot), chatPageQuery(q));
    res.json({ success: true, slot: q.slot, data: page.rows, nextBefore: page.nextBefore });
  });

  r.get('/archive/search', async (req, res) => {
    const q = parseOrThrow(searchQuery, req.query);
    if (!q.query.trim()) throw new BridgeError('VALIDATION_ERROR', 'query must not be empty');
    if (q.slot === undefined) {
      if (callerOf(res).kind !== 'admin') throw new BridgeError('FORBIDDEN', 'searching all slots needs the admin token; give slot');
    } else {
      ctx.registry.get(q.slot);
      guard(res, 'read', q.slot);
    }
    const rows = await ctx.archive.search({ slot: q.slot, query: q.query, limit: q.limit, offset: q.offset, order: q.order, chatId: q.chatId, from: q.from, to: q.to });
    const body = q.slot === undefined ? { success: true, query: q.query } : { success: true, slot: q.slot, query: q.query };
    res.json({ ...body, data: (await withMedia(ctx, rows)).map((row) => apiRow(row, q.slot === undefined)) });
  });

  r.get('/poll-votes', async (req, res) => {
    const q = parseOrThrow(pollQuery, req.query);
    ctx.registry.get(q.slot);
    guard(res, 'read', q.slot);
    res.json({ success: true, data: await ctx.archive.getPollTally(q.slot, q.messageId) });
  });

  return r;
}
