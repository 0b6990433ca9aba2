// The GraphQL operations (sdl.ts), each a thin call into the shared operations REST uses
// (bridge/api), after the same scope checks. Nested fields resolve from plain objects.
import * as ops from '../../api/commands.js';
import { parseOrThrow, sendTextBody } from '../../api/schemas.js';
import { defaultSlotOf, mayUseSlot, requireRole, type Caller, type Role } from '../../auth/scope.js';
import type { BridgeContext } from '../../context.js';
import type { Ack } from '../../domain/index.js';
import type { QrImage } from '../../slots/qr.js';
import type { Slot } from '../../slots/slot.js';
import { FORWARDED, LOCAL, onOwner } from './forward.js';

export type GraphqlContext = {
  ctx: BridgeContext;
  caller: Caller;
  ip: string | null;
  /** Forwarded by another node of the cluster (run here, never forwarded again). */
  forwarded: boolean;
};

type Args = Record<string, unknown>;

/** GraphQL gives null for an omitted nullable; the shared schemas want undefined. */
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** The slot asked for (or the caller's default), checked for range and the caller's scope. */
function slotFor(c: GraphqlContext, slot: unknown, role: Role): number {
  const n = (opt(slot) as number | undefined) ?? defaultSlotOf(c.caller, c.ctx.config.defaultSlot);
  c.ctx.registry.get(n); // INVALID_SLOT
  requireRole(c.caller, role, n);
  return n;
}

const DELIVERY = ['FAILED', 'PENDING', 'SENT', 'DELIVERED', 'READ', 'PLAYED'] as const;

/** Seed 001 wants the PNG as bare base64 and the SVG as a data URL; computed once per QR. */
const qrFields = new WeakMap<QrImage, { qrCode: string; qrCodeSvg: string }>();
function qrAsSeedWants(qr: QrImage) {
  let fields = qrFields.get(qr);
  if (!fields) {
    fields = {
      qrCode: qr.png.slice(qr.png.indexOf(',') + 1),
      qrCodeSvg: `data:image/svg+xml;base64,${Buffer.from(qr.svg).toString('base64')}`,
    };
    qrFields.set(qr, fields);
  }
  return fields;
}

function whatsAppStatus(c: GraphqlContext, n: number) {
  const slot = c.ctx.registry.get(n);
  const connected = slot.ready;
  // The QR fields fail alone (QR_EXPIRED, FORBIDDEN): the status itself still answers.
  const qr = () => {
    if (connected) return null;
    const image = ops.currentQr(c.ctx, n);
    if (image) requireRole(c.caller, 'manage', n);
    return image;
  };
  return {
    connected,
    slot: n,
    state: slot.state,
    qrCode: () => {
      const image = qr();
      return image ? qrAsSeedWants(image).qrCode : null;
    },
    qrCodeSvg: () => {
      const image = qr();
      return image ? qrAsSeedWants(image).qrCodeSvg : null;
    },
    qrExpiresAt: () => qr()?.expiresAt ?? null,
  };
}

/** whatsAppStatus of a slot another node runs: its answer, the QR fetched from it only when selected. */
async function remoteStatus(c: GraphqlContext, n: number): Promise<unknown> {
  const status = await onOwner(c, n, FORWARDED.status, { slot: n });
  if (status === LOCAL) return whatsAppStatus(c, n);
  let qr: Promise<{ qrCode: string | null; qrCodeSvg: string | null; qrExpiresAt: number | null }> | undefined;
  const qrField = (name: 'qrCode' | 'qrCodeSvg' | 'qrExpiresAt') => async () => {
    qr ??= onOwner(c, n, FORWARDED.statusQr, { slot: n }) as Promise<{ qrCode: string | null; qrCodeSvg: string | null; qrExpiresAt: number | null }>;
    return (await qr)[name];
  };
  return { ...(status as object), qrCode: qrField('qrCode'), qrCodeSvg: qrField('qrCodeSvg'), qrExpiresAt: qrField('qrExpiresAt') };
}

function slotView(c: GraphqlContext, slot: Slot) {
  return {
    slot: slot.number,
    state: slot.state,
    connected: slot.ready,
    active: slot.active,
    hasQr: slot.qr !== null && slot.state === 'QR',
    phone: slot.phone,
    name: slot.name,
    since: Math.floor(slot.since / 1000),
    sessionSeconds: slot.ready ? Math.floor((Date.now() - slot.since) / 1000) : null,
    lastError: slot.lastError,
    queued: () => c.ctx.messenger.outboxSize(slot.number),
  };
}

function actor(c: GraphqlContext): ops.Actor {
  return { id: c.caller.id, ip: c.ip };
}

export const rootValue = {
  // Queries
  whatsAppStatus: (a: Args, c: GraphqlContext) => remoteStatus(c, slotFor(c, a.slot, 'read')),

  slots: (_a: Args, c: GraphqlContext) => {
    requireRole(c.caller, 'read');
    return c.ctx.registry.slots.filter((s) => mayUseSlot(c.caller, s.number)).map((s) => slotView(c, s));
  },

  slot: async (a: Args, c: GraphqlContext) => {
    const n = slotFor(c, a.slot, 'read');
    const there = await onOwner(c, n, FORWARDED.slot, { slot: n });
    return there === LOCAL ? slotView(c, c.ctx.registry.get(n)) : there;
  },

  messageStatus: async (a: Args, c: GraphqlContext) => {
    const n = slotFor(c, a.slot, 'read');
    const id = String(a.messageId);
    let row = await c.ctx.archive.getMessage(n, id);
    if (!row) {
      // Archive writes are batched: a message sent a moment ago may still be on its way.
      await c.ctx.archive.flush();
      row = await c.ctx.archive.getMessage(n, id);
    }
    if (!row) return null;
    return { messageId: row.id, chatId: row.chatId, slot: n, ack: row.ack, delivery: DELIVERY[row.ack as Ack] ?? 'PENDING', fromMe: row.fromMe === 1, timestamp: row.timestamp };
  },

  outboxMessage: async (a: Args, c: GraphqlContext) => {
    const entry = await c.ctx.messenger.outboxStatus(String(a.outboxId));
    if (!entry) return null;
    requireRole(c.caller, 'read', entry.slot);
    return { ...entry, status: entry.status.toUpperCase() };
  },

  // Mutations
  whatsAppConnect: async (a: Args, c: GraphqlContext) => {
    const slot = slotFor(c, a.slot, 'manage');
    const there = await onOwner(c, slot, FORWARDED.connect, { slot });
    if (there !== LOCAL) return there;
    ops.connectSlot(c.ctx, slot, actor(c));
    return true;
  },

  whatsAppDisconnect: async (a: Args, c: GraphqlContext) => {
    const slot = slotFor(c, a.slot, 'manage');
    const there = await onOwner(c, slot, FORWARDED.disconnect, { slot, logout: a.logout === true });
    if (there !== LOCAL) return there;
    await ops.disconnectSlot(c.ctx, slot, a.logout === true, actor(c));
    return true;
  },

  sendWhatsAppNotification: async (a: Args, c: GraphqlContext) => {
    const slot = slotFor(c, a.slot, 'send');
    const there = await onOwner(c, slot, FORWARDED.notify, { slot, phoneNumber: a.phoneNumber, message: a.message });
    if (there !== LOCAL) return there;
    await ops.sendText(c.ctx, parseOrThrow(sendTextBody, { slot, phone: a.phoneNumber, message: a.message }), ops.QUEUE_WHILE_RECONNECTING);
    return true;
  },

  testWhatsAppConnection: async (a: Args, c: GraphqlContext) => {
    const slot = slotFor(c, a.slot, 'send');
    const there = await onOwner(c, slot, FORWARDED.test, { slot, phoneNumber: a.phoneNumber });
    if (there !== LOCAL) return there;
    await ops.testConnectionAcked(c.ctx, slot, String(a.phoneNumber));
    return true;
  },

  sendText: async (a: Args, c: GraphqlContext) => {
    const input = a.input as Args;
    const slot = slotFor(c, input.slot, 'send');
    const there = await onOwner(c, slot, FORWARDED.sendText, { input: { ...input, slot } });
    if (there !== LOCAL) return there;
    const body = parseOrThrow(sendTextBody, {
      slot,
      phone: opt(input.phoneNumber),
      chatId: opt(input.chatId),
      message: input.message,
      quotedMessageId: opt(input.quotedMessageId),
      idempotencyKey: opt(input.idempotencyKey),
      queue: opt(input.queue),
    });
    const result = await ops.sendText(c.ctx, body, ops.QUEUE_WHILE_RECONNECTING);
    return 'queued' in result ? { messageId: null, queued: true, outboxId: result.outboxId } : { messageId: result.messageId, queued: false, outboxId: null };
  },
};
