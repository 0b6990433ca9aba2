// What each slot's engine last told us about its chats (name, group, mute), fed by
// `chat_update` so an incoming message needs no round trip into the browser to learn whether
// its chat is muted. A chat not seen yet is looked up once, then kept.
import type { ChatRow } from '../domain/index.js';

/** Bounded so an account with thousands of chats cannot grow it without end. */
const MAX_CHATS_PER_SLOT = 5000;

export class ChatCache {
  private readonly bySlot = new Map<number, Map<string, ChatRow>>();

  get(slot: number, chatId: string): ChatRow | undefined {
    return this.bySlot.get(slot)?.get(chatId);
  }

  put(slot: number, chat: ChatRow): void {
    let chats = this.bySlot.get(slot);
    if (!chats) this.bySlot.set(slot, (chats = new Map()));
    chats.delete(chat.chatId); // re-insert: the Map's order is then least recently updated first
    chats.set(chat.chatId, chat);
    if (chats.size > MAX_CHATS_PER_SLOT) chats.delete(chats.keys().next().value!);
  }

  /** The slot's account may change (logout, new pairing): forget what its chats were. */
  clear(slot: number): void {
    this.bySlot.delete(slot);
  }

  size(slot: number): number {
    return this.bySlot.get(slot)?.size ?? 0;
  }
}
