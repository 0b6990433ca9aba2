// A slot's chat list, kept a few seconds. A chat page or filter needs every chat of the slot (the
// order and the filter run over all of them) and WhatsApp Web only hands them over all at once:
// scrolling 1,000 chats in pages of 100 listed them 10 times. Whatever may change a chat drops the
// kept list at once — every engine event (a message in or out, unread or mute, edit, revoke, the
// session's state) and our own calls that change chats (send, mark read, start, stop, logout) —
// so a new message is on top of the very next page. A change WhatsApp reports with no event (a
// mute running out) shows within the TTL.
import type { ChatRow } from '../domain/index.js';
import type { EngineFactory, WhatsAppEngine } from './types.js';

export const CHAT_LIST_TTL_MS = 5000;

/** Engine calls that may change a chat row: the list kept before them is dropped. */
const CHANGES_CHATS = new Set<PropertyKey>(['start', 'stop', 'logout', 'sendText', 'sendMedia', 'sendPoll', 'markRead'] satisfies (keyof WhatsAppEngine)[]);

export class ChatListCache {
  #kept: { list: Promise<ChatRow[]>; at: number } | null = null;

  constructor(
    private readonly ttlMs = CHAT_LIST_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  drop(): void {
    this.#kept = null;
  }

  /** The kept list while fresh, else a new one from `list` (requests meanwhile share it). */
  get(list: () => Promise<ChatRow[]>): Promise<ChatRow[]> {
    const kept = this.#kept;
    if (kept && this.now() - kept.at < this.ttlMs) return kept.list;
    // Dated from the start of the listing: a change during it is dropped by then anyway.
    const entry = { list: list(), at: this.now() };
    this.#kept = entry;
    // A failed listing is not kept: the next request asks the engine again.
    entry.list.catch(() => {
      if (this.#kept === entry) this.#kept = null;
    });
    return entry.list;
  }
}

/** Engines whose `getChats` answers from a kept full list (rows copied: callers may change theirs). */
export function withChatListCache(factory: EngineFactory, ttlMs = CHAT_LIST_TTL_MS, now: () => number = Date.now): EngineFactory {
  return (ctx) => {
    const cache = new ChatListCache(ttlMs, now);
    const engine = factory({
      ...ctx,
      emit: (event) => {
        // Before anyone hears of the event: a page asked for on hearing it is already fresh.
        cache.drop();
        ctx.emit(event);
      },
    });
    const getChats = async (limit: number): Promise<ChatRow[]> => {
      const all = await cache.get(() => engine.getChats(Number.MAX_SAFE_INTEGER));
      return all.slice(0, Math.max(0, limit)).map((c) => ({ ...c }));
    };
    return new Proxy(engine, {
      get(target, key) {
        if (key === 'getChats') return getChats;
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        const bound = (value as (...args: unknown[]) => unknown).bind(target);
        if (!CHANGES_CHATS.has(key)) return bound;
        return async (...args: unknown[]) => {
          try {
            return await bound(...args);
          } finally {
            cache.drop();
          }
        };
      },
    });
  };
}
