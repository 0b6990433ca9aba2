// The one send path behind REST and WebSocket: target resolution, idempotency, rate limits,
// the durable outbox for `queue: true`, and the outbox drain when a slot becomes ready.
import type { Logger } from 'pino';
import type { ArchivedMessage } from '../domain/index.js';
import { BridgeError, isChatId, normalisePhone, recipientKey } from '../domain/index.js';
import type { MediaInput, PollInput, WhatsAppEngine } from '../engine/types.js';
import type { MaybePromise } from '../domain/async.js';
import type { IdempotencyPort, OutboxEntry, OutboxKind, OutboxListEntry, OutboxListFilter, OutboxPort, OutboxState } from '../state/outbox.js';
import { checkMedia, checkMediaSize, looksLikeVoiceNote } from './media.js';
import type { SendLimiter } from './rate-limit.js';
import type { SlotRegistry } from './registry.js';
import type { SendRecords } from './send-records.js';

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
  /** true: keep it in the outbox whenever the slot is not ready; false: never. */
  queue?: boolean;
  /** With `queue` unset: keep it while a linked slot reconnects (REST and GraphQL default). */
  queueWhileReconnecting?: boolean;
}

export type SendResult = { messageId: string } | { queued: true; outboxId: string };

export interface MessengerEvents {
  /** A message this bridge sent (the engine also reports it; the archive de-duplicates). */
  /** `content` is what was sent (media keeps its bytes without asking WhatsApp for them back). */
  onSent(slot: number, message: ArchivedMessage, content: SendContent): void;
  onFailed(slot: number): void;
  onOutboxSent(slot: number, outboxId: string, messageId: string): void;
  /** `unconfirmed`: its send was interrupted on a node that went away; WhatsApp may have it (cluster mode). */
  onOutboxFailed(slot: number, outboxId: string, error: string, unconfirmed?: boolean): void;
}

const PHONE_TARGET = 'phone:';
/** When the state DB refused to mark an entry, the drain is tried again after this pause. */
const DRAIN_RETRY_MS = 5000;
/** After a failed queued send, how long the engine may take to show it is still there. */
const PROBE_MS = 5000;
/** Why an interrupted entry is not sent again in a cluster: a person has to look (docs/cluster.md). */
export const UNCONFIRMED_ERROR =
  'Not confirmed: the node sending this message stopped mid-send, so WhatsApp may already have it. Check the chat on a phone before sending it again.';
/** Wrapped engine failures (a raw error, a page that threw): the browser may be going away. */
const MAYBE_ENGINE: ReadonlySet<string> = new Set(['SEND_FAILED', 'INTERNAL']);

export class Messenger {
  private readonly inFlight = new Map<string, Promise<SendResult>>();
  private readonly draining = new Set<number>();
  /** Slots whose running drain read its list before an entry was retried: drain once more after it. */
  private readonly drainAgain = new Set<number>();

  constructor(
    private readonly registry: SlotRegistry,
    private readonly outbox: OutboxPort,
    private readonly idempotency: IdempotencyPort,
    private readonly limiter: SendLimiter,
    private readonly events: MessengerEvents,
    private readonly logger: Logger,
    /** Where a delivered message is recorded (with its idempotency result / outbox mark). */
    private readonly records: SendRecords,
  ) {}

  /** Send now, or queue when asked and the slot is not ready. Retries with the same key return the first result. */
  send(req: SendRequest): Promise<SendResult> {
    const slot = this.registry.get(req.slot);
    if (!req.idempotencyKey) return this.sendOnce(req);
    const key = `${slot.number}:${req.idempotencyKey}`;
    const remembered = this.records.result(slot.number, req.idempotencyKey);
    if (remembered) return Promise.resolve(remembered as SendResult);
    const running = this.inFlight.get(key);
    if (running) return running;
    // In flight from here on, so a second call with the key waits for this one's answer.
    const attempt = (async () => {
      const known = await this.idempotency.get(slot.number, req.idempotencyKey!);
      if (known) return known as SendResult;
      const result = await this.sendOnce(req, req.idempotencyKey);
      // A sent message's result was saved with the message; a queued one is saved here.
      if ('queued' in result) await this.saveQueuedResult(slot.number, req.idempotencyKey!, result);
      return result;
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, attempt);
    return attempt;
  }

  /** The outbox entry exists already; failing to remember the key only risks a second queue entry. */
  private async saveQueuedResult(slot: number, key: string, result: SendResult): Promise<void> {
    try {
      await this.idempotency.put(slot, key, result);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, slot }, 'state: could not save an idempotency key');
    }
  }

  private async sendOnce(req: SendRequest, idempotencyKey?: string): Promise<SendResult> {
    const slot = this.registry.get(req.slot);
    const target = parseTarget(req);
    const content = await prepare(req.content);
    const recipient = recipientKey(target.startsWith(PHONE_TARGET) ? target.slice(PHONE_TARGET.length) : target);
    if (!slot.ready) {
      const queue = req.queue ?? (req.queueWhileReconnecting === true && slot.reconnecting);
      if (!queue) slot.requireEngine(); // throws NOT_CONNECTED
      await this.limiter.consume(slot.number, recipient);
      const outboxId = await this.outbox.enqueue(slot.number, target, content.kind, serialise(content));
      this.logger.info({ slot: slot.number, outboxId }, 'message queued until the slot is ready');
      return { queued: true, outboxId };
    }
    if (idempotencyKey) {
      // A retry of a send a crash interrupted: WhatsApp may have it already.
      const found = await this.findInterrupted(slot.number, idempotencyKey, content);
      if (found) return found;
    }
    await this.limiter.consume(slot.number, recipient);
    try {
      if (idempotencyKey) await this.records.beginAttempt(slot.number, idempotencyKey, target, visibleBody(content));
      const message = await this.deliver(slot.number, slot.requireEngine(), target, content);
      const result = { messageId: message.id };
      // WhatsApp has it: from here on the caller gets the id, whatever local storage does.
      this.records.save({ slot: slot.number, message, idempotency: idempotencyKey ? { key: idempotencyKey, result } : undefined });
      return result;
    } catch (err) {
      if (err instanceof BridgeError && err.code === 'INVALID_NUMBER') await this.limiter.refund(slot.number, recipient);
      throw err;
    }
  }

  /** The message of a keyed send that reached WhatsApp before a crash (same text, not another send's), recorded now. */
  private async findInterrupted(slotNumber: number, key: string, content: SendContent): Promise<SendResult | null> {
    const attempt = await this.records.openAttempt(slotNumber, key);
    if (!attempt || attempt.body !== visibleBody(content)) return null;
    const engine = this.registry.get(slotNumber).requireEngine();
    const message = await findSent(engine, attempt, content, (id) => this.records.has(slotNumber, id)).catch(() => null);
    if (!message) return null;
    const result = { messageId: message.id };
    this.events.onSent(slotNumber, message, content);
    this.records.save({ slot: slotNumber, message, idempotency: { key, result } });
    return result;
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
      this.events.onSent(slotNumber, message, content);
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
      for (const entry of await this.outbox.unfinished(slotNumber)) {
        const slot = this.registry.get(slotNumber);
        if (!slot.ready) return;
        if (!(await this.drainOne(slot.requireEngine(), entry))) return;
      }
    } finally {
      this.draining.delete(slotNumber);
      if (this.drainAgain.delete(slotNumber)) this.drainSoon(slotNumber);
    }
  }

  private drainSoon(slot: number): void {
    void this.drain(slot).catch((err: unknown) => this.logger.error({ err: (err as Error).message, slot }, 'outbox: drain after a retry failed'));
  }

  /** false = stop draining (the slot went away); the entry stays pending. */
  private async drainOne(engine: WhatsAppEngine, entry: OutboxEntry): Promise<boolean> {
    const content = deserialise(entry.kind, entry.payload);
    // Sent already, but the state DB could not take the mark yet.
    if (this.records.sentOutboxEntry(entry.id)) return true;
    const interrupted = entry.status === 'sending' || entry.attemptedAt !== null;
    if (interrupted) {
      // The bridge stopped (or its browser died) mid-send: WhatsApp may have the message already. Only
      // a message that is not the result of another of our sends counts (two entries may carry the same text).
      const sent = await findSent(engine, entry, content, (id) => this.records.has(entry.slot, id)).catch(() => null);
      if (sent) {
        this.events.onSent(entry.slot, sent, content);
        this.records.save({ slot: entry.slot, message: sent, outboxId: entry.id });
        this.events.onOutboxSent(entry.slot, entry.id, sent.id);
        return true;
      }
    }
    try {
      // Not in the chat: in a cluster, a send interrupted on another node may still have gone out.
      if (interrupted && (await this.outbox.settleInterrupted(entry, UNCONFIRMED_ERROR)) === 'unconfirmed') {
        this.logger.warn({ slot: entry.slot, outboxId: entry.id }, 'outbox: a send interrupted on another node is not in the chat; failed as unconfirmed, not sent again');
        this.events.onOutboxFailed(entry.slot, entry.id, UNCONFIRMED_ERROR, true);
        return true;
      }
      // In a cluster the claim carries the slot's fence: a node that lost the lease sends nothing.
      if (!(await this.outbox.claim(entry))) {
        // Discarded by the admin (or settled) since the drain listed it: skip it, the rest still go.
        const now = await this.outbox.status(entry.id);
        if (!now || (now.status !== 'pending' && now.status !== 'sending')) {
          this.logger.info({ slot: entry.slot, outboxId: entry.id }, 'outbox: entry discarded or settled meanwhile; skipped');
          return true;
        }
        this.logger.warn({ slot: entry.slot, outboxId: entry.id }, 'outbox: entry not claimed (this node no longer holds the slot); drain stopped');
        return false;
      }
    } catch (err) {
      // Not marked, so not sent (a crash could not tell whether it went): try again later.
      this.logger.error({ err: (err as Error).message, slot: entry.slot }, 'outbox: could not settle or claim an entry; retrying in a moment');
      setTimeout(() => void this.drain(entry.slot).catch(() => undefined), DRAIN_RETRY_MS).unref();
      return false;
    }
    let message: ArchivedMessage;
    try {
      message = await this.deliver(entry.slot, engine, entry.target, content);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (await this.engineGone(entry.slot, engine, err)) {
        // Not this message's fault: the browser or page is gone (or going). Put it back and stop;
        // marking the rest failed would burn the queue. The next READY drains again.
        await this.outbox.markPending(entry.id).catch((e: unknown) => this.logger.error({ err: (e as Error).message }, 'outbox: could not put an entry back'));
        this.logger.warn({ slot: entry.slot, outboxId: entry.id, error }, 'outbox: the engine is not answering; drain stopped, entries stay queued');
        setTimeout(() => void this.drain(entry.slot).catch(() => undefined), DRAIN_RETRY_MS).unref();
        return false;
      }
      await this.outbox.markFailed(entry.id, error).catch((e: unknown) => this.logger.error({ err: (e as Error).message }, 'outbox: could not mark an entry failed'));
      this.events.onOutboxFailed(entry.slot, entry.id, error);
      return true;
    }
    // Recorded (with the message, for the archive) before anyone is told it was sent.
    const record = { slot: entry.slot, message, outboxId: entry.id };
    this.records.save(record);
    this.events.onOutboxSent(entry.slot, entry.id, message.id);
    // The next entry waits until this one is marked sent (in a cluster the shared database answers
    // later, and can be slow): a node killed mid-drain then leaves at most one message in doubt,
    // which the next owner reports unconfirmed. A save that fails does not hold the drain (kept in
    // memory as before).
    await this.records.settled(record);
    return true;
  }

  /**
   * After a queued send failed: is the engine gone rather than the message refused? A refusal of
   * the message (a BridgeError such as INVALID_NUMBER) is not; after an engine failure the slot
   * must still be READY on the same engine and its page must answer CONNECTED within PROBE_MS.
   */
  private async engineGone(slotNumber: number, engine: WhatsAppEngine, err: unknown): Promise<boolean> {
    if (err instanceof BridgeError && err.code === 'NOT_CONNECTED') return true;
    if (err instanceof BridgeError && !MAYBE_ENGINE.has(err.code)) return false;
    try {
      if (this.registry.get(slotNumber).requireEngine() !== engine) return true;
    } catch {
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('no answer'), PROBE_MS);
    });
    try {
      return (await Promise.race([engine.getState(), deadline])) !== 'CONNECTED';
    } catch {
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  outboxSize(slot?: number): Promise<number> {
    return this.outbox.size(slot);
  }

  outboxStatus(outboxId: string): Promise<OutboxState | null> {
    return this.outbox.status(outboxId);
  }

  outboxList(filter: OutboxListFilter): Promise<OutboxListEntry[]> {
    return this.outbox.list(filter);
  }

  outboxDiscard(outboxId: string): Promise<boolean> {
    return this.outbox.discard(outboxId);
  }

  /** A failed entry of `slot` back in the queue; sent at once when the slot is ready on this node. */
  async outboxRetry(outboxId: string, slot: number): Promise<boolean> {
    if (!(await this.outbox.retry(outboxId))) return false;
    if (this.draining.has(slot)) this.drainAgain.add(slot);
    else if (this.registry.get(slot).ready) this.drainSoon(slot);
    return true;
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

const STICKER_SOURCES = new Set(['image/png', 'image/jpeg', 'image/webp']);

async function prepare(content: SendContent): Promise<SendContent> {
  if (content.kind !== 'media') return content;
  const checked = await checkMedia(content.media.base64, content.media.mimetype);
  const asVoice = content.media.asVoice ?? looksLikeVoiceNote(checked.mime, content.media.mimetype, content.media.filename);
  if (content.media.asVoice && !checked.mime.startsWith('audio/')) {
    throw new BridgeError('VALIDATION_ERROR', 'asVoice: only audio can be sent as a voice note');
  }
  // WhatsApp Web converts still images to stickers in the page; animated ones would need ffmpeg.
  if (content.media.asSticker && !STICKER_SOURCES.has(checked.mime)) {
    throw new BridgeError('VALIDATION_ERROR', `asSticker: only a PNG, JPEG or WebP image can be sent as a sticker (this file is ${checked.mime})`);
  }
  checkMediaSize(checked.mime, checked.bytes, asVoice);
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

async function findSent(
  engine: WhatsAppEngine,
  entry: Pick<OutboxEntry, 'target' | 'attemptedAt'>,
  content: SendContent,
  isOurs: (messageId: string) => MaybePromise<boolean>,
): Promise<ArchivedMessage | null> {
  if (entry.attemptedAt === null) return null;
  const chatId = entry.target.startsWith(PHONE_TARGET)
    ? await engine.resolvePhone(entry.target.slice(PHONE_TARGET.length))
    : entry.target;
  if (!chatId) return null;
  const since = Math.floor(entry.attemptedAt / 1000) - 5;
  const body = visibleBody(content);
  const recent = await engine.getMessages(chatId, 50);
  for (const m of recent) {
    if (m.fromMe === 1 && m.timestamp >= since && m.body === body && !(await isOurs(m.id))) return m;
  }
  return null;
}
