// WebSocket commands (API.md): parsed with the same schemas and run by the same operations as REST.
import { z } from 'zod';
import * as ops from '../api/commands.js';
import { chatBody, parseOrThrow, sendMediaBody, sendTextBody, slotField } from '../api/schemas.js';
import { mayUseSlot, requireRole, type Role } from '../auth/scope.js';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../domain/index.js';
import type { SendResult } from '../slots/messenger.js';
import type { ClientState } from './hub.js';

const slot = slotField;
const limit = z.number().int().min(1).max(500).optional();

/** More than any bridge has slots (config allows 32): a longer list is a mistake or an attack. */
export const MAX_SUBSCRIBE_SLOTS = 32;

const schemas = {
  register_fcm: z.object({
    token: z.string().min(1).max(4096),
    installationId: z.string().min(1).max(200).optional(),
    deviceId: z.string().max(100).optional(),
    platform: z.string().max(40).optional(),
  }),
  get_conversations: z.object({ slot, limit }),
  get_messages: z.object({ slot, chatId: z.string().min(1), limit, before: z.string().min(1).optional() }),
  search_conversations: z.object({ slot, query: z.string().max(200) }),
  subscribe: z.object({ slots: z.array(slot).max(MAX_SUBSCRIBE_SLOTS, `slots allows at most ${MAX_SUBSCRIBE_SLOTS} entries`) }),
};

function sendReply(result: SendResult) {
  return 'queued' in result ? result : { messageId: result.messageId };
}

export async function handleCommand(ctx: BridgeContext, client: ClientState, frame: Record<string, unknown>): Promise<unknown> {
  /** The token's scope, as on REST. */
  const allowed = <T extends { slot: number }>(role: Role, b: T): T => {
    requireRole(client.caller, role, b.slot);
    return b;
  };
  switch (frame.type) {
    case 'ping':
      return { pong: Date.now() };
    case 'register_fcm': {
      const b = parseOrThrow(schemas.register_fcm, frame);
      // The push identity is the caller's own: a device cannot register for another device. The
      // installation id tells apart phones sharing one device token; this socket now speaks for it.
      await ctx.push.registerToken(client.caller.id, b.token, b.platform, b.installationId);
      if (b.installationId) client.installationId = b.installationId;
      return b.installationId ? { registered: true, installationId: b.installationId } : { registered: true };
    }
    case 'get_conversations': {
      const b = allowed('read', parseOrThrow(schemas.get_conversations, frame));
      return ops.getConversations(ctx, b.slot, b.limit ?? ops.DEFAULT_LIST_LIMIT);
    }
    case 'get_messages': {
      const b = allowed('read', parseOrThrow(schemas.get_messages, frame));
      return ops.getMessages(ctx, b.slot, b.chatId, b.limit ?? ops.DEFAULT_LIST_LIMIT, b.before);
    }
    case 'send_message':
      return sendReply(await ops.sendText(ctx, allowed('send', parseOrThrow(sendTextBody, frame))));
    case 'send_media':
      return sendReply(await ops.sendMedia(ctx, allowed('send', parseOrThrow(sendMediaBody, frame))));
    case 'mark_read': {
      const b = allowed('read', parseOrThrow(chatBody, frame));
      return ops.markRead(ctx, b.slot, b.chatId);
    }
    case 'search_conversations': {
      const b = allowed('read', parseOrThrow(schemas.search_conversations, frame));
      return ops.searchConversations(ctx, b.slot, b.query);
    }
    case 'subscribe': {
      // Refuse a huge list before validating each entry (a million entries blocked the server).
      if (Array.isArray(frame.slots) && frame.slots.length > MAX_SUBSCRIBE_SLOTS) {
        throw new BridgeError('VALIDATION_ERROR', `slots: allows at most ${MAX_SUBSCRIBE_SLOTS} entries`);
      }
      const b = parseOrThrow(schemas.subscribe, frame);
      for (const n of b.slots) requireRole(client.caller, 'read', ctx.registry.get(n).number);
      client.slots = b.slots.length ? new Set(b.slots) : null;
      const all = ctx.registry.slots.map((s) => s.number).filter((n) => mayUseSlot(client.caller, n));
      return { slots: b.slots.length ? [...client.slots!].sort((a, c) => a - c) : all };
    }
    default:
      throw new BridgeError('VALIDATION_ERROR', typeof frame.type === 'string' ? `unknown type "${frame.type}"` : 'type is required');
  }
}
