// One inbox for every number: the chat lists of all ready slots, kept live by `new_message`
// broadcasts, with unread counts per chat, per slot and in total (navigation and window title),
// and desktop notifications for new messages in chats that are not muted.
import type { Api } from '../api/client.js';
import type { BridgeLink } from '../api/ws.js';
import type { ChatRow, ServerEvent } from '../api/types.js';
import { isMutedNow } from '../lib/format.js';
import type { SlotsModel } from './slots.js';
import { Store } from './store.js';
import { appendPage, pageOf, type ChatPageReply } from './chat-pages.js';

export type InboxChat = ChatRow & { slot: number };

/** Chats the list asks for per slot; a chat beyond them still counts once a message arrives. */
export const INBOX_PAGE = 500;

export interface Notifier {
  (title: string, body: string, onClick: () => void): void;
}

export class InboxModel {
  /** Per slot, newest first. */
  readonly chats = new Store<Record<number, InboxChat[]>>({});
  /** Per slot, the cursor of its next page of chats (absent: all of them are loaded). */
  readonly next = new Store<Record<number, string>>({});
  readonly loadingMore = new Store(false);
  /** The chat on screen (its messages are read as they come). */
  open: { slot: number; chatId: string } | null = null;
  private loading = new Set<number>();

  constructor(
    private readonly api: Api,
    private readonly link: BridgeLink,
    private readonly slots: SlotsModel,
    private readonly notify: Notifier | null,
    private readonly onOpenChat: (slot: number, chatId: string) => void,
  ) {}

  start(): () => void {
    const sync = () => {
      const ready = new Set(this.slots.slots.get().filter((s) => s.ready).map((s) => s.slot));
      const have = this.chats.get();
      for (const n of ready) if (!have[n] && !this.loading.has(n)) void this.load(n);
      const gone = Object.keys(have).map(Number).filter((n) => !ready.has(n));
      if (gone.length) {
        this.chats.set((all) => Object.fromEntries(Object.entries(all).filter(([k]) => !gone.includes(Number(k)))));
        for (const n of gone) this.setNext(n, null);
      }
    };
    const offSlots = this.slots.slots.subscribe(sync);
    sync();
    const offEvent = this.link.on((e) => this.handle(e));
    const offState = this.link.onState((s) => {
      if (s !== 'open') return;
      // Back after an outage: counts may have changed meanwhile.
      for (const n of Object.keys(this.chats.get()).map(Number)) void this.load(n);
    });
    return () => {
      offSlots();
      offEvent();
      offState();
    };
  }

  async load(slot: number): Promise<void> {
    this.loading.add(slot);
    try {
      const page = pageOf(await this.api.get<ChatPageReply>('/api/chats', { slot, limit: INBOX_PAGE }));
      const rows = page.rows.map((c) => ({ ...c, slot }));
      this.chats.set((all) => ({ ...all, [slot]: rows }));
      this.setNext(slot, page.next);
    } catch {
      /* the slot went away or the bridge did: the next status or reconnect loads again */
    } finally {
      this.loading.delete(slot);
    }
  }

  /** The next page of every slot that has more (the merged list is scrolled near its end). */
  async loadMore(): Promise<void> {
    const next = this.next.get();
    const slots = Object.keys(next).map(Number);
    if (slots.length === 0 || this.loadingMore.get()) return;
    this.loadingMore.set(true);
    try {
      await Promise.all(
        slots.map(async (slot) => {
          const page = pageOf(await this.api.get<ChatPageReply>('/api/chats', { slot, limit: INBOX_PAGE, before: next[slot] }));
          this.chats.set((all) => (all[slot] ? { ...all, [slot]: appendPage(all[slot], page.rows).map((c) => ({ ...c, slot })) } : all));
          this.setNext(slot, page.next);
        }),
      );
    } catch {
      /* the next scroll or reconnect asks again */
    } finally {
      this.loadingMore.set(false);
    }
  }

  private setNext(slot: number, cursor: string | null): void {
    this.next.set((all) => {
      if (all[slot] === (cursor ?? undefined)) return all;
      const { [slot]: _old, ...rest } = all;
      return cursor ? { ...rest, [slot]: cursor } : rest;
    });
  }

  /** The owner read the chat (the thread tells the bridge too). */
  markRead(slot: number, chatId: string): void {
    this.patch(slot, chatId, (c) => (c.unreadCount ? { ...c, unreadCount: 0 } : c));
  }

  private handle(e: ServerEvent): void {
    if (e.type !== 'new_message') return;
    const m = e.message;
    const list = this.chats.get()[e.slot];
    if (!list) return;
    const onScreen = this.open?.slot === e.slot && this.open.chatId === m.chatId && document.visibilityState === 'visible';
    const row = list.find((c) => c.chatId === m.chatId);
    if (!row) {
      void this.load(e.slot).then(() => this.maybeNotify(e.slot, m.chatId, m.senderName, m.body, !m.fromMe && !onScreen));
      return;
    }
    this.chats.set((all) => {
      const updated: InboxChat = {
        ...row,
        timestamp: Math.max(row.timestamp, m.timestamp),
        lastMessage: m.body || row.lastMessage,
        unreadCount: m.fromMe || onScreen ? row.unreadCount : row.unreadCount + 1,
      };
      return { ...all, [e.slot]: [updated, ...(all[e.slot] ?? []).filter((c) => c.chatId !== m.chatId)] };
    });
    this.maybeNotify(e.slot, m.chatId, m.senderName, m.body, !m.fromMe && !onScreen);
  }

  private maybeNotify(slot: number, chatId: string, sender: string, body: string, wanted: boolean): void {
    if (!wanted || !this.notify) return;
    const chat = this.chats.get()[slot]?.find((c) => c.chatId === chatId);
    // WhatsApp's mute holds here too.
    if (chat && chat.isMuted && isMutedNow(chat.muteExpiration)) return;
    this.notify(chat?.name || sender || chatId.split('@')[0]!, body, () => this.onOpenChat(slot, chatId));
  }

  private patch(slot: number, chatId: string, fn: (c: InboxChat) => InboxChat): void {
    this.chats.set((all) => {
      const list = all[slot];
      if (!list) return all;
      let changed = false;
      const next = list.map((c) => {
        if (c.chatId !== chatId) return c;
        const u = fn(c);
        changed ||= u !== c;
        return u;
      });
      return changed ? { ...all, [slot]: next } : all;
    });
  }
}

/** Unread messages per slot and in total; muted chats do not count towards the total. */
export function unreadTotals(chats: Record<number, InboxChat[]>, nowSeconds = Math.floor(Date.now() / 1000)): { perSlot: Record<number, number>; total: number } {
  const perSlot: Record<number, number> = {};
  let total = 0;
  for (const [slot, list] of Object.entries(chats)) {
    let n = 0;
    for (const c of list) {
      if (!c.unreadCount) continue;
      n += c.unreadCount;
      if (!(c.isMuted && isMutedNow(c.muteExpiration, nowSeconds))) total += c.unreadCount;
    }
    perSlot[Number(slot)] = n;
  }
  return { perSlot, total };
}

/** Every slot's chats in one list, newest first. */
export function mergedInbox(chats: Record<number, InboxChat[]>): InboxChat[] {
  return Object.values(chats).flat().sort((a, b) => b.timestamp - a.timestamp || a.slot - b.slot);
}

/** The browser's notifications (the desktop app shows its own from the bridge's events). */
export function browserNotifier(): Notifier | null {
  if (typeof Notification === 'undefined' || window.waBridge) return null;
  return (title, body, onClick) => {
    if (Notification.permission !== 'granted') return;
    const n = new Notification(title, { body, tag: `${title}:${body}`.slice(0, 60) });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  };
}
