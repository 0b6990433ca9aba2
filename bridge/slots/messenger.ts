// The one send path behind REST and WebSocket: target resolution, idempotency, rate limits,
// the durable outbox for `queue: true`, and the outbox drain when a slot becomes ready.
import type { Logger } from 'pino';
import type { ArchivedMessage } from '../domain/index.js';
import { BridgeError, isChatId, normalisePhone } from '../domain/index.js';
import type { MediaInput, PollInput, WhatsAppEngine } from '../engine/types.js';
import type { IdempotencyStore, OutboxEntry, OutboxKind, OutboxState, OutboxStore } from '../state/outbox.js';
import { checkMedia } from './media.js';
import type { SendLimiter } from './rate-limit.js';
import type { SlotRegistry } from './registry.js';

export type SendContent =
  | { kind: 'text'; text: string; quotedMessageId?: string }
  | { kind: 'media'; media: MediaInput }
  | { kind: 'poll'; poll: PollInput };

export interface SendRequest {
  slot: number;
  phone?: string;
  chatId?: string;
  content: SendContent;
  idempotencyKey?: string;
  queue?: boolean;
}

export type SendResult = { messageId: string } | { queued: true; outboxId: string };

export interface MessengerEvents {
  /** A message this bridge sent (the engine also reports it; the archive de-duplicates). */
  onSent(slot: number, message: ArchivedMessage): void;
  onFailed(slot: number): void;
  onOutboxSent(slot: number, outboxId: string, messageId: string): void;
  onOutboxFailed(slot: number, outboxId: string, error: string): void;
}

const PHONE_TARGET = 'phone:';

export class Messenger {
  private readonly inFlight = new Map<string, Promise<SendResult>>();
  private readonly draining = new Set<number>();

  constructor(
    private readonly registry: SlotRegistry,
    private readonly outbox: OutboxStore,
    private readonly idempotency: IdempotencyStore,
    private readonly limiter: SendLimiter,
    private readonly events: MessengerEvents,
    private readonly logger: Logger,
  ) {}

  /** Send now, or queue when asked and the slot is not ready. Retries with the same key return the first result. */
  send(req: SendRequest): Promise<SendResult> {
    const slot = this.registry.get(req.slot);
    if (!req.idempotencyKey) return this.sendOnce(req);
    const key = `${slot.number}:${req.idempotencyKey}`;
    const known = this.idempotency.get(slot.number, req.idempotencyKey);
    if (known) return Promise.resolve(known as SendResult);
    const running = this.inFlight.get(key);
    if (running) return running;
    const attempt = this.sendOnce(req)
      .then((result) => {
        this.idempotency.put(slot.number, req.idempotencyKey!, result);
        return result;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, attempt);
    return attempt;
  }

  private async sendOnce(req: SendRequest): Promise<SendResult> {
    const slot = this.registry.get(req.slot);
    const target = parseTarget(req);
    const content = await prepare(req.content);
    const recipient = target.startsWith(PHONE_TARGET) ? target.slice(PHONE_TARGET.length) : target;
    if (!slot.ready) {
      if (!req.queue) slot.requireEngine(); // throws NOT_CONNECTED
      await this.limiter.consume(slot.number, recipient);
      const outboxId = this.outbox.enqueue(slot.number, target, content.kind, serialise(content));
      this.logger.info({ slot: slot.number, outboxId }, 'message queued until the slot is ready');
      return { queued: true, outboxId };
    }
    await this.limiter.consume(slot.number, recipient);
    try {
      const message = await this.deliver(slot.number, slot.requireEngine(), target, content);
      return { messageId: message.id };
    } catch (err) {
      if (err instanceof BridgeError && err.code === 'INVALID_NUMBER') await this.limiter.refund(slot.number, recipient);
      throw err;
    }
  }

  private async deliver(slotNumber: number, engine: WhatsAppEngine, target: string, content: SendContent): Promise<ArchivedMessage> {
    let chatId = target;
    if (target.startsWith(PHONE_TARGET)) {
      const digits = target.slice(PHONE_TARGET.length);
      const resolved = await engine.resolvePhone(digits);
      if (!resolved) throw new BridgeError('INVALID_NUMBER', `${digits} is not on WhatsApp`);
      chatId = resolved;
    }
    try {
      const message = await sendContent(engine, chatId, content);
      this.events.onSent(slotNumber, message);
      return message;
    } catch (err) {
      this.events.onFailed(slotNumber);
      if (err instanceof BridgeError) throw err;
      throw new BridgeError('SEND_FAILED', `WhatsApp did not accept the message: ${(err as Error)?.message ?? err}`, { cause: err });
    }
  }

  /** Send a ready slot's queued messages in order. Safe to call repeatedly. */
  async drain(slotNumber: number): Promise<void> {
    if (this.draining.has(slotNumber)) return;
    this.draining.add(slotNumber);
    try {
      for (const entry of this.outbox.unfinished(slotNumber)) {
        const slot = this.registry.get(slotNumber);
        if (!slot.ready) return;
        if (!(await this.drainOne(slot.requireEngine(), entry))) return;
      }
    } finally {
      this.draining.delete(slotNumber);
    }
  }

  /** false = stop draining (the slot went away); the entry stays pending. */
  private async drainOne(engine: WhatsAppEngine, entry: OutboxEntry): Promise<boolean> {
    const content = deserialise(entry.kind, entry.payload);
    if (entry.status === 'sending') {
      // The bridge stopped mid-send: WhatsApp may have the message already.
      const sent = await findSent(engine, entry, content).catch(() => null);
      if (sent) {
        this.outbox.markSent(entry.id, sent);
        this.events.onOutboxSent(entry.slot, entry.id, sent);
        return true;
      }
    }
    this.outbox.markSending(entry.id);
    try {
      const message = await this.deliver(entry.slot, engine, entry.target, content);
      this.outbox.markSent(entry.id, message.id);
      this.events.onOutboxSent(entry.slot, entry.id, message.id);
      return true;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (err instanceof BridgeError && err.code === 'NOT_CONNECTED') {
        this.outbox.markPending(entry.id);
        return false;
      }
      this.outbox.markFailed(entry.id, error);
      this.events.onOutboxFailed(entry.slot, entry.id, error);
      return true;
    }
  }

  outboxSize(slot?: number): number {
    return this.outbox.size(slot);
  }

  outboxStatus(outboxId: string): OutboxState | null {
    return this.outbox.status(outboxId);
  }
}

function parseTarget(req: { phone?: string; chatId?: string }): string {
  if (req.chatId !== undefined) {
    if (!isChatId(req.chatId)) throw new BridgeError('VALIDATION_ERROR', 'chatId: must be <number>@c.us or <group>@g.us');
    return req.chatId;
  }
  if (req.phone === undefined) throw new BridgeError('VALIDATION_ERROR', 'phone is required (or chatId)');
  return PHONE_TARGET + normalisePhone(req.phone);
}

async function prepare(content: SendContent): Promise<SendContent> {
  if (content.kind !== 'media') return content;
  const checked = await checkMedia(content.media.base64, content.media.mimetype);
  const asVoice = content.media.asVoice ?? (checked.mime === 'audio/ogg' && /codecs=opus/i.test(content.media.mimetype));
  if (content.media.asVoice && !checked.mime.startsWith('audio/')) {
    throw new BridgeError('VALIDATION_ERROR', 'asVoice: only audio can be sent as a voice note');
  }
  return { kind: 'media', media: { ...content.media, base64: checked.base64, asVoice } };
}

function sendContent(engine: WhatsAppEngine, chatId: string, content: SendContent): Promise<ArchivedMessage> {
  switch (content.kind) {
    case 'text':
      return engine.sendText(chatId, content.text, { quotedMessageId: content.quotedMessageId });
    case 'media':
      return engine.sendMedia(chatId, content.media);
    case 'poll':
      return engine.sendPoll(chatId, content.poll);
  }
}

function serialise(content: SendContent): Record<string, unknown> {
  const { kind: _kind, ...rest } = content;
  return rest;
}

function deserialise(kind: OutboxKind, payload: Record<string, unknown>): SendContent {
  return { kind, ...payload } as SendContent;
}

/** The body WhatsApp shows for a content, to recognise a send that completed before a crash. */
function visibleBody(content: SendContent): string {
  if (content.kind === 'text') return content.text;
  if (content.kind === 'poll') return content.poll.question;
  return content.media.caption ?? '';
}

async function findSent(engine: WhatsAppEngine, entry: OutboxEntry, content: SendContent): Promise<string | null> {
  if (entry.attemptedAt === null) return null;
  const chatId = entry.target.startsWith(PHONE_TARGET)
    ? await engine.resolvePhone(entry.target.slice(PHONE_TARGET.length))
    : entry.target;
  if (!chatId) return null;
  const since = Math.floor(entry.attemptedAt / 1000) - 5;
  const body = visibleBody(content);
  const recent = await engine.getMessages(chatId, 50);
  return recent.find((m) => m.fromMe === 1 && m.timestamp >= since && m.body === body)?.id ?? null;
}
