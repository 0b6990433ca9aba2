// The one event path: engine → Slot → archive, WebSocket, push and in-process listeners.
// One function per event kind; a failing consumer is logged and never stops the others.
import type { Logger } from 'pino';
import type { ArchiveStore } from '../archive/types.js';
import type { PushPort } from '../context.js';
import { apiMessageRow, withTimeout, type AckUpdate, type ArchivedMessage, type ChatRow, type MediaInfo, type MessageSequence, type PollVote } from '../domain/index.js';
import type { MediaService } from '../media/service.js';
import type { SendContent } from '../slots/messenger.js';
import type { EngineEvent } from '../engine/types.js';
import type { Metrics } from '../metrics.js';
import type { QrImage } from '../slots/qr.js';
import type { Slot } from '../slots/slot.js';
import type { BridgeEvent } from '../types.js';
import { ChatCache } from './chat-cache.js';

/** How long a first message of an unknown chat may wait for the engine's answer about it. */
export const CHAT_LOOKUP_MS = 2000;

export type EventListener = (event: BridgeEvent) => unknown;

export interface EventRouterDeps {
  archive: Pick<ArchiveStore, 'saveMessage' | 'updateAck' | 'savePollVote' | 'saveEdit' | 'saveRevoke'>;
  push: Pick<PushPort, 'onMessage'>;
  /** Keeps the media of messages in and out (absent: rows carry no media object). */
  media?: Pick<MediaService, 'onMessage' | 'onSent' | 'info'>;
  /** The WebSocket hub's broadcast (null before the hub exists). */
  broadcast: (event: BridgeEvent) => void;
  metrics: Pick<Metrics, 'messagesReceived' | 'messagesSent' | 'outboxUnconfirmed'>;
  logger: Logger;
  /** Send what the outbox holds for a slot that became ready. */
  drainOutbox: (slot: number) => Promise<unknown>;
  /** In-process listeners (the desktop shell); may be filled before and after the router exists. */
  listeners?: Set<EventListener>;
  /** Numbers every message (domain/sequence.ts); left out, rows carry no `seq` (tests of other parts). */
  sequence?: MessageSequence;
}

/** The slot as the router sees it. */
export type RoutedSlot = Pick<Slot, 'number' | 'ready' | 'state' | 'requireEngine'>;

export interface EventRouter {
  engineEvent(slot: RoutedSlot, event: EngineEvent): void;
  status(slot: RoutedSlot): void;
  qr(slot: RoutedSlot, qr: QrImage): void;
  /** A message this bridge sent (the engine reports it again as a `message` event). */
  sent(slot: number, message: ArchivedMessage, content?: SendContent): void;
  /** A message's media was stored or found expired. */
  mediaRecord(slot: number, chatId: string | null, messageId: string, media: MediaInfo): void;
  outboxSent(slot: number, outboxId: string, messageId: string): void;
  /** `unconfirmed`: interrupted mid-send on a node that went away, so WhatsApp may have it. */
  outboxFailed(slot: number, outboxId: string, error: string, unconfirmed?: boolean): void;
  onEvent(listener: EventListener): () => void;
  readonly chats: ChatCache;
}

export function createEventRouter(deps: EventRouterDeps): EventRouter {
  const { archive, logger } = deps;
  const listeners = deps.listeners ?? new Set<EventListener>();
  const chats = new ChatCache();

  /** Run one consumer; a throw or a rejected promise is logged, never unhandled. */
  function guard(what: string, fn: () => unknown): void {
    try {
      const result = fn();
      if (result instanceof Promise) result.catch((err: unknown) => logger.error({ err, what }, 'event consumer failed'));
    } catch (err) {
      logger.error({ err, what }, 'event consumer failed');
    }
  }

  function toListeners(event: BridgeEvent): void {
    for (const listener of listeners) guard(`listener of ${event.type}`, () => listener(event));
  }

  /** To the phones and to in-process listeners alike. */
  function emit(event: BridgeEvent): void {
    guard(`broadcast of ${event.type}`, () => deps.broadcast(event));
    toListeners(event);
  }

  /** The chat as last reported; an unknown one is asked for once (bounded), then cached. */
  async function chatOf(slot: RoutedSlot, chatId: string): Promise<ChatRow | null> {
    const known = chats.get(slot.number, chatId);
    if (known) return known;
    let chat: ChatRow | null = null;
    try {
      chat = await withTimeout(slot.requireEngine().getChat(chatId), CHAT_LOOKUP_MS, 'chat lookup timed out');
    } catch {
      // not ready any more, or no answer in time: notify as an unmuted chat rather than not at all
    }
    if (chat && !chats.get(slot.number, chatId)) chats.put(slot.number, chat);
    return chats.get(slot.number, chatId) ?? chat;
  }

  /** The message with the bridge's sequence number, the same on every path it takes. */
  function numbered(n: number, m: ArchivedMessage): ArchivedMessage {
    return deps.sequence ? { ...m, seq: deps.sequence.assign(n, m) } : m;
  }

  function message(slot: RoutedSlot, engineMessage: ArchivedMessage): void {
    const n = slot.number;
    const m = numbered(n, engineMessage);
    guard('archive message', () => archive.saveMessage(n, m));
    const media = deps.media;
    if (media) guard('media download', () => media.onMessage(n, m));
    // A media row says where its bytes will be; they are fetched in the background.
    const row = media && m.hasMedia ? apiMessageRow({ ...m, media: media.info(n, m.id, null, m) }) : apiMessageRow(m);
    if (m.fromMe) {
      guard('broadcast of new_message', () => deps.broadcast({ type: 'new_message', slot: n, message: row }));
      return toListeners({ type: 'new_message', slot: n, message: row, chat: null });
    }
    deps.metrics.messagesReceived.inc({ slot: String(n) });
    // The phones get the message at once; push and desktop notifications need the chat's mute state.
    guard('broadcast of new_message', () => deps.broadcast({ type: 'new_message', slot: n, message: row }));
    const deliver = (chat: ChatRow | null) => {
      guard('push', () => deps.push.onMessage(n, row, chat));
      toListeners({ type: 'new_message', slot: n, message: row, chat });
    };
    const known = chats.get(n, m.chatId);
    if (known) return deliver(known);
    guard('chat lookup', () => chatOf(slot, m.chatId).then(deliver));
  }

  function ack(slot: RoutedSlot, update: AckUpdate): void {
    guard('archive ack', () => archive.updateAck(slot.number, update.messageId, update.ack));
    emit({ type: 'message_ack', slot: slot.number, ...update });
  }

  function pollVote(slot: RoutedSlot, vote: PollVote): void {
    guard('archive poll vote', () => archive.savePollVote(slot.number, vote));
    emit({ type: 'poll_vote', slot: slot.number, ...vote });
  }

  function edit(slot: RoutedSlot, messageId: string, body: string): void {
    guard('archive edit', () => archive.saveEdit(slot.number, messageId, body));
  }

  function revoke(slot: RoutedSlot, messageId: string): void {
    guard('archive revoke', () => archive.saveRevoke(slot.number, messageId));
  }

  function chatUpdate(slot: RoutedSlot, chat: ChatRow): void {
    chats.put(slot.number, chat);
  }

  return {
    chats,
    engineEvent(slot, event) {
      switch (event.type) {
        case 'message':
          return message(slot, event.message);
        case 'message_ack':
          return ack(slot, event.update);
        case 'poll_vote':
          return pollVote(slot, event.vote);
        case 'message_edit':
          return edit(slot, event.messageId, event.body);
        case 'message_revoke':
          return revoke(slot, event.messageId);
        case 'chat_update':
          return chatUpdate(slot, event.chat);
        default:
          return; // login-flow events are the Slot's own
      }
    },
    status(slot) {
      // A logged-out or re-paired account is another account: its chats are not these.
      if (slot.state === 'STOPPED' || slot.state === 'QR') chats.clear(slot.number);
      emit({ type: 'status', slot: slot.number, ready: slot.ready, state: slot.state });
      if (slot.ready) guard('outbox drain', () => deps.drainOutbox(slot.number));
    },
    qr(slot, qr) {
      emit({ type: 'qr', slot: slot.number, qr: qr.png });
    },
    sent(n, m, content) {
      deps.metrics.messagesSent.inc({ slot: String(n) });
      guard('archive sent message', () => archive.saveMessage(n, numbered(n, m)));
      const media = deps.media;
      if (media && content?.kind === 'media') {
        const { base64, mimetype, filename } = content.media;
        guard('media of a sent message', () => media.onSent(n, m.id, base64, { chatId: m.chatId, mimetype, filename }));
      }
    },
    mediaRecord(n, chatId, messageId, media) {
      emit({ type: 'message_media', slot: n, chatId, messageId, media });
    },
    outboxSent(n, outboxId, messageId) {
      emit({ type: 'outbox_sent', slot: n, outboxId, messageId });
    },
    outboxFailed(n, outboxId, error, unconfirmed = false) {
      if (unconfirmed) deps.metrics.outboxUnconfirmed.inc({ slot: String(n) });
      emit({ type: 'outbox_failed', slot: n, outboxId, error, ...(unconfirmed ? { unconfirmed: true as const } : {}) });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
