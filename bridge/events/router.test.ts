import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { ArchivedMessage, ChatRow, SlotState } from '../domain/index.js';
import { createMetrics } from '../metrics.js';
import type { BridgeEvent } from '../types.js';
import { createEventRouter, type EventListener, type RoutedSlot } from './router.js';

const CHAT = '962781523783@c.us';

function incoming(over: Partial<ArchivedMessage> = {}): ArchivedMessage {
  return {
    id: 'false_962781523783@c.us_AAA',
    chatId: CHAT,
    body: 'hello',
    fromMe: 0,
    timestamp: 1_700_000_000,
    type: 'chat',
    hasMedia: 0,
    senderName: 'Lina',
    ack: 1,
    caption: null,
    author: CHAT,
    ...over,
  };
}

function chatRow(over: Partial<ChatRow> = {}): ChatRow {
  return { chatId: CHAT, name: 'Lina', isGroup: false, unreadCount: 1, timestamp: 1, lastMessage: 'hi', isMuted: false, muteExpiration: 0, ...over };
}

function setup(opts: { getChat?: (id: string) => Promise<ChatRow | null>; state?: SlotState } = {}) {
  const logged: { obj: unknown; msg: string }[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const archive = {
    saveMessage: vi.fn(),
    updateAck: vi.fn(),
    savePollVote: vi.fn(),
    saveEdit: vi.fn(),
    saveRevoke: vi.fn(),
  };
  const push = { onMessage: vi.fn() };
  const broadcast = vi.fn<(e: BridgeEvent) => void>();
  const drainOutbox = vi.fn(async (_n: number) => undefined);
  const getChat = vi.fn(opts.getChat ?? (async () => null));
  const metrics = createMetrics();
  const listeners = new Set<EventListener>();
  const router = createEventRouter({ archive, push, broadcast, metrics, logger, drainOutbox, listeners });
  const slot: RoutedSlot & { state: SlotState; ready: boolean } = {
    number: 2,
    state: opts.state ?? 'READY',
    get ready() {
      return this.state === 'READY';
    },
    requireEngine: () => ({ getChat }) as never,
  };
  const local: BridgeEvent[] = [];
  router.onEvent((e) => void local.push(e));
  return { router, slot, archive, push, broadcast, drainOutbox, getChat, metrics, local, logged, listeners };
}

const received = async (metrics: ReturnType<typeof createMetrics>) =>
  (await metrics.messagesReceived.get()).values.find((v) => v.labels.slot === '2')?.value ?? 0;

describe('event router', () => {
  it('message: archives the full message, broadcasts the API row, pushes with the cached chat and counts it', async () => {
    const t = setup();
    const muted = chatRow({ isMuted: true, muteExpiration: -1 });
    t.router.engineEvent(t.slot, { type: 'chat_update', chat: muted });
    const m = incoming();
    t.router.engineEvent(t.slot, { type: 'message', message: m });

    expect(t.archive.saveMessage).toHaveBeenCalledWith(2, m);
    const row = { id: m.id, body: 'hello', fromMe: 0, timestamp: m.timestamp, type: 'chat', hasMedia: 0, senderName: 'Lina', ack: 1, chatId: CHAT };
    expect(t.broadcast).toHaveBeenCalledWith({ type: 'new_message', slot: 2, message: row });
    expect(t.push.onMessage).toHaveBeenCalledWith(2, row, muted);
    expect(t.local).toEqual([{ type: 'new_message', slot: 2, message: row, chat: muted }]);
    expect(t.getChat).not.toHaveBeenCalled(); // the cache answered: no round trip into the engine
    expect(await received(t.metrics)).toBe(1);
  });

  it('message of a chat not seen yet: asks the engine once, then keeps the answer', async () => {
    const t = setup({ getChat: async () => chatRow({ name: 'Asked' }) });
    t.router.engineEvent(t.slot, { type: 'message', message: incoming() });
    await vi.waitFor(() => expect(t.push.onMessage).toHaveBeenCalledTimes(1));
    expect(t.push.onMessage.mock.calls[0]![2]).toMatchObject({ name: 'Asked' });
    t.router.engineEvent(t.slot, { type: 'message', message: incoming({ id: 'second' }) });
    expect(t.push.onMessage).toHaveBeenCalledTimes(2);
    expect(t.getChat).toHaveBeenCalledTimes(1);
  });

  it('message while the engine cannot answer: pushed with no chat rather than not at all', async () => {
    const t = setup({ getChat: async () => Promise.reject(new Error('page gone')) });
    t.router.engineEvent(t.slot, { type: 'message', message: incoming() });
    await vi.waitFor(() => expect(t.push.onMessage).toHaveBeenCalledWith(2, expect.objectContaining({ body: 'hello' }), null));
  });

  it('message from me: broadcast, no push, not counted as received; a poll keeps its options', async () => {
    const t = setup();
    const poll = incoming({ fromMe: 1, type: 'poll', pollOptions: ['Yes', 'No'] });
    t.router.engineEvent(t.slot, { type: 'message', message: poll });
    expect(t.broadcast.mock.calls[0]![0]).toMatchObject({ type: 'new_message', message: { pollOptions: ['Yes', 'No'], fromMe: 1 } });
    expect(t.local[0]).toMatchObject({ type: 'new_message', chat: null });
    expect(t.push.onMessage).not.toHaveBeenCalled();
    expect(await received(t.metrics)).toBe(0);
  });

  it('message_ack: archived and broadcast', () => {
    const t = setup();
    t.router.engineEvent(t.slot, { type: 'message_ack', update: { chatId: CHAT, messageId: 'm1', ack: 3 } });
    expect(t.archive.updateAck).toHaveBeenCalledWith(2, 'm1', 3);
    expect(t.broadcast).toHaveBeenCalledWith({ type: 'message_ack', slot: 2, chatId: CHAT, messageId: 'm1', ack: 3 });
    expect(t.local).toHaveLength(1);
  });

  it('poll_vote: archived and broadcast', () => {
    const t = setup();
    const vote = { chatId: CHAT, messageId: 'p1', voter: CHAT, selectedOptions: ['Yes'], timestamp: 5 };
    t.router.engineEvent(t.slot, { type: 'poll_vote', vote });
    expect(t.archive.savePollVote).toHaveBeenCalledWith(2, vote);
    expect(t.broadcast).toHaveBeenCalledWith({ type: 'poll_vote', slot: 2, ...vote });
  });

  it('message_edit and message_revoke: archived only (API.md has no event for them)', () => {
    const t = setup();
    t.router.engineEvent(t.slot, { type: 'message_edit', chatId: CHAT, messageId: 'm1', body: 'new text' });
    t.router.engineEvent(t.slot, { type: 'message_revoke', chatId: CHAT, messageId: 'm2' });
    expect(t.archive.saveEdit).toHaveBeenCalledWith(2, 'm1', 'new text');
    expect(t.archive.saveRevoke).toHaveBeenCalledWith(2, 'm2');
    expect(t.broadcast).not.toHaveBeenCalled();
  });

  it('chat_update: the newest report wins (a mute lifted is seen at once)', () => {
    const t = setup();
    t.router.engineEvent(t.slot, { type: 'chat_update', chat: chatRow({ isMuted: true, muteExpiration: -1 }) });
    t.router.engineEvent(t.slot, { type: 'chat_update', chat: chatRow({ isMuted: false, muteExpiration: 0 }) });
    t.router.engineEvent(t.slot, { type: 'message', message: incoming() });
    expect(t.push.onMessage.mock.calls[0]![2]).toMatchObject({ isMuted: false });
    expect(t.router.chats.get(3, CHAT)).toBeUndefined(); // per slot
    expect(t.broadcast.mock.calls.map((c) => c[0].type)).toEqual(['new_message']);
  });

  it('status: broadcast; ready drains the outbox; a stopped slot forgets its chats', () => {
    const t = setup();
    t.router.engineEvent(t.slot, { type: 'chat_update', chat: chatRow() });
    t.router.status(t.slot);
    expect(t.broadcast).toHaveBeenCalledWith({ type: 'status', slot: 2, ready: true, state: 'READY' });
    expect(t.drainOutbox).toHaveBeenCalledWith(2);
    expect(t.router.chats.size(2)).toBe(1);
    t.slot.state = 'STOPPED';
    t.router.status(t.slot);
    expect(t.drainOutbox).toHaveBeenCalledTimes(1);
    expect(t.router.chats.size(2)).toBe(0);
  });

  it('qr: broadcast as the PNG data URL', () => {
    const t = setup({ state: 'QR' });
    t.router.qr(t.slot, { raw: 'ref', png: 'data:image/png;base64,AAA', svg: '<svg/>', expiresAt: 1 });
    expect(t.broadcast).toHaveBeenCalledWith({ type: 'qr', slot: 2, qr: 'data:image/png;base64,AAA' });
  });

  it('sent, outbox_sent and outbox_failed: archive and counters, then broadcasts', async () => {
    const t = setup();
    const m = incoming({ fromMe: 1 });
    t.router.sent(2, m);
    t.router.outboxSent(2, 'o1', 'm1');
    t.router.outboxFailed(2, 'o2', 'not on WhatsApp');
    expect(t.archive.saveMessage).toHaveBeenCalledWith(2, m);
    expect((await t.metrics.messagesSent.get()).values[0]?.value).toBe(1);
    expect(t.broadcast.mock.calls.map((c) => c[0])).toEqual([
      { type: 'outbox_sent', slot: 2, outboxId: 'o1', messageId: 'm1' },
      { type: 'outbox_failed', slot: 2, outboxId: 'o2', error: 'not on WhatsApp' },
    ]);
  });

  it('an unconfirmed outbox_failed says so and is counted; a plain one is not', async () => {
    const t = setup();
    t.router.outboxFailed(2, 'o3', 'Not confirmed: …', true);
    t.router.outboxFailed(2, 'o4', 'not on WhatsApp', false);
    expect(t.broadcast.mock.calls.map((c) => c[0])).toEqual([
      { type: 'outbox_failed', slot: 2, outboxId: 'o3', error: 'Not confirmed: …', unconfirmed: true },
      { type: 'outbox_failed', slot: 2, outboxId: 'o4', error: 'not on WhatsApp' },
    ]);
    expect((await t.metrics.outboxUnconfirmed.get()).values).toEqual([expect.objectContaining({ labels: { slot: '2' }, value: 1 })]);
  });

  it('a throwing or rejecting consumer is logged and the others still run (no unhandled rejection)', async () => {
    const t = setup();
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      t.archive.updateAck.mockImplementation(() => {
        throw new Error('archive down');
      });
      t.broadcast.mockImplementation(() => {
        throw new Error('socket gone');
      });
      t.listeners.add(() => {
        throw new Error('listener bug');
      });
      t.listeners.add(async () => Promise.reject(new Error('async listener bug')));
      t.push.onMessage.mockImplementation(() => {
        throw new Error('push bug');
      });
      t.router.engineEvent(t.slot, { type: 'message_ack', update: { chatId: CHAT, messageId: 'm1', ack: 2 } });
      t.router.engineEvent(t.slot, { type: 'message', message: incoming() });
      t.drainOutbox.mockRejectedValueOnce(new Error('outbox bug'));
      t.router.status(t.slot);
      await vi.waitFor(() => expect(t.logged.length).toBeGreaterThanOrEqual(12));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
      // The well-behaved listener still got every event.
      expect(t.local.map((e) => e.type).sort()).toEqual(['message_ack', 'new_message', 'status']);
      const errors = t.logged.map((l) => (l as { err?: { message?: string } }).err?.message);
      for (const msg of ['archive down', 'socket gone', 'listener bug', 'async listener bug', 'push bug', 'outbox bug']) expect(errors).toContain(msg);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
