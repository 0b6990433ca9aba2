// Chat pages share one listing of a slot's chats: paging 1,000 chats lists them once, and whatever
// changes a chat (an engine event, a send, a read) drops the kept list before anyone asks again.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { pageConversations } from '../api/commands.js';
import { decodeCursor } from '../api/chat-pages.js';
import type { BridgeContext } from '../context.js';
import type { ChatRow } from '../domain/index.js';
import { CHAT_LIST_TTL_MS, withChatListCache } from './chat-list-cache.js';
import type { EngineContext, EngineEvent, WhatsAppEngine } from './types.js';

const T0 = 1_779_000_000;
const id = (i: number) => `1555070${String(i).padStart(4, '0')}@c.us`;

/** An account of `count` chats, one a second apart (chat 0 newest), counting its full listings. */
function account(count: number) {
  const chats = new Map<string, ChatRow>();
  for (let i = 0; i < count; i++) {
    chats.set(id(i), { chatId: id(i), name: `Chat ${i}`, isGroup: false, unreadCount: 0, timestamp: T0 - i, lastMessage: 'hi', isMuted: false, muteExpiration: 0 });
  }
  const calls = { listings: 0 };
  /** The newest activity so far: each message is newer than every chat. */
  let latest = T0;
  let hold: Promise<void> | null = null;
  let failNext = false;
  let ctx!: EngineContext;
  const nothing = () => Promise.reject(new Error('not in this test'));
  const factory = (c: EngineContext): WhatsAppEngine => {
    ctx = c;
    return {
      kind: 'demo',
      start: async () => undefined,
      stop: async () => undefined,
      logout: async () => undefined,
      resolvePhone: nothing,
      sendText: async (chatId, text) => {
        const row = chats.get(chatId)!;
        chats.set(chatId, { ...row, timestamp: ++latest, lastMessage: text });
        return { id: `true_${chatId}_X`, chatId, body: text, fromMe: 1, timestamp: 0, type: 'chat', hasMedia: 0, senderName: '', ack: 1 };
      },
      sendMedia: nothing,
      sendPoll: nothing,
      downloadMedia: nothing,
      getChats: async (limit) => {
        calls.listings++;
        const rows = [...chats.values()].map((c) => ({ ...c }));
        await hold;
        if (failNext) {
          failNext = false;
          throw new Error('page detached');
        }
        return rows.sort((a, b) => b.timestamp - a.timestamp).slice(0, limit);
      },
      getChat: async (chatId) => chats.get(chatId) ?? null,
      getMessages: async () => [],
      markRead: async (chatId) => void chats.set(chatId, { ...chats.get(chatId)!, unreadCount: 0 }),
      getAvatarUrl: async () => null,
      getState: async () => 'CONNECTED',
      processInfo: () => ({ pid: null, rssBytes: null }),
    };
  };
  let clock = 0;
  const heard: EngineEvent[] = [];
  const engine = withChatListCache(factory, CHAT_LIST_TTL_MS, () => clock)({ slot: 1, slotDir: '/x', dataDir: '/x', logger: pino({ level: 'silent' }), emit: (e) => heard.push(e) });
  const bridge = { registry: { get: () => ({ requireEngine: () => engine }) } } as unknown as BridgeContext;
  return {
    engine,
    calls,
    heard,
    page: (limit: number, before?: string | null, q?: string) => pageConversations(bridge, 1, { limit, before: before ? decodeCursor(before)! : undefined, q }),
    /** A message arrives in a chat: the account changes, then the engine tells. */
    receive(chatId: string, body: string) {
      const row = chats.get(chatId)!;
      const timestamp = ++latest;
      chats.set(chatId, { ...row, timestamp, lastMessage: body, unreadCount: row.unreadCount + 1 });
      ctx.emit({ type: 'message', message: { id: `false_${chatId}_Y`, chatId, body, fromMe: 0, timestamp, type: 'chat', hasMedia: 0, senderName: 'x', ack: 1 } });
    },
    mute(chatId: string) {
      chats.set(chatId, { ...chats.get(chatId)!, isMuted: true });
    },
    tick: (ms: number) => void (clock += ms),
    holdListings: () => {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return () => {
        hold = null;
        release();
      };
    },
    failNextListing: () => void (failNext = true),
  };
}

describe('chat list cache', () => {
  it('pages 1,000 chats in pages of 100 from one listing of the engine', async () => {
    const a = account(1000);
    const seen: string[] = [];
    let before: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const page = await a.page(100, before);
      seen.push(...page.rows.map((c) => c.chatId));
      before = page.nextBefore;
      if (!before) break;
    }
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => id(i)));
    expect(a.calls.listings).toBe(1);
    // A filter over the same chats needs no listing of its own either.
    expect((await a.page(100, null, '0700999')).rows.map((c) => c.chatId)).toEqual([id(999)]);
    expect(a.calls.listings).toBe(1);
  });

  it('puts a chat with a new message on top of the very next page, and the event still reaches the slot', async () => {
    const a = account(1000);
    expect((await a.page(100)).rows[0]!.chatId).toBe(id(0));
    a.receive(id(750), 'new here');
    const top = (await a.page(100)).rows[0]!;
    expect(top).toMatchObject({ chatId: id(750), lastMessage: 'new here', unreadCount: 1 });
    expect(a.calls.listings).toBe(2);
    expect(a.heard.map((e) => e.type)).toEqual(['message']);
  });

  it('drops the list on our own sends and reads, not on reads of messages', async () => {
    const a = account(300);
    await a.page(50);
    await a.engine.getMessages(id(1), 10);
    await a.page(50);
    expect(a.calls.listings).toBe(1);
    await a.engine.sendText(id(299), 'hello');
    expect((await a.page(50)).rows[0]).toMatchObject({ chatId: id(299), lastMessage: 'hello' });
    expect(a.calls.listings).toBe(2);
    a.receive(id(5), 'x');
    await a.engine.markRead(id(5));
    expect((await a.page(50)).rows[0]).toMatchObject({ chatId: id(5), unreadCount: 0 });
    expect(a.calls.listings).toBe(3);
  });

  it('lists again once the kept list is older than the TTL (changes WhatsApp reports with no event)', async () => {
    const a = account(10);
    await a.page(5);
    a.mute(id(0));
    a.tick(CHAT_LIST_TTL_MS - 1);
    expect((await a.page(5)).rows[0]!.isMuted).toBe(false);
    a.tick(1);
    expect((await a.page(5)).rows[0]!.isMuted).toBe(true);
    expect(a.calls.listings).toBe(2);
  });

  it('shares a listing under way; one a message overtook is not kept', async () => {
    const a = account(10);
    const release = a.holdListings();
    const first = a.page(5);
    const second = a.page(5);
    a.receive(id(9), 'during the listing');
    release();
    await Promise.all([first, second]);
    expect(a.calls.listings).toBe(1);
    expect((await a.page(5)).rows[0]!.chatId).toBe(id(9));
    expect(a.calls.listings).toBe(2);
  });

  it('keeps no failed listing, and hands out copies of the rows', async () => {
    const a = account(10);
    a.failNextListing();
    await expect(a.page(5)).rejects.toThrow('page detached');
    const rows = await a.engine.getChats(3);
    expect(rows.map((c) => c.chatId)).toEqual([id(0), id(1), id(2)]);
    rows[0]!.name = 'changed by a caller';
    expect((await a.engine.getChats(1))[0]!.name).toBe('Chat 0');
    expect(await a.engine.getChats(0)).toEqual([]);
    expect(a.calls.listings).toBe(2);
  });
});
