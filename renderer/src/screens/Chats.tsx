// Chats: pick a slot, then a conversation from the live list (paged, filtered on the bridge), then
// read and answer in the thread. A stopped number's chats are read from the archive.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useApp, useBridgeEvents, useOnReconnect } from '../state/app.js';
import { useStore } from '../state/store.js';
import { navigate } from '../state/route.js';
import type { ChatRow } from '../api/types.js';
import { Icon } from '../components/Icon.js';
import { ErrorBlock } from '../components/Notices.js';
import { formatPhone } from '../lib/format.js';
import { fold } from '../lib/highlight.js';
import { Thread } from './chats/Thread.js';
import { ArchivedThread } from './chats/ArchivedThread.js';
import { ChatList } from './chats/ChatList.js';
import { NewChatButton } from './chats/NewChat.js';
import { useSlotsLoaded } from '../state/useSlotsLoaded.js';
import { mergedInbox, unreadTotals } from '../state/inbox.js';
import { useChatPages, useInboxSearch, useSettled } from '../state/chat-pages.js';
import type { MessageKey } from '../i18n/i18n.js';

export function ChatsScreen({ params }: { params: Record<string, string> }) {
  const { slots, t } = useApp();
  const list = useStore(slots.slots);
  const { loaded, error, retry } = useSlotsLoaded();
  const { inbox } = useApp();
  const perSlot = unreadTotals(useStore(inbox.chats)).perSlot;
  const firstReady = list.find((s) => s.ready)?.slot;
  // `slot=all`: one inbox for every ready number; the open chat's own slot is `in`.
  const all = params.slot === 'all';
  const slot = all ? Number(params.in) || firstReady || 1 : Number(params.slot) || firstReady || list[0]?.slot || 1;
  const current = list.find((s) => s.slot === slot);
  const chatId = params.chat ?? null;

  const pickSlot = (v: string) => navigate('chats', { slot: v });

  return (
    <section className="screen chats-screen" aria-labelledby="chats-title">
      <div className="screen-head compact">
        <h1 id="chats-title">{t('chatsTitle')}</h1>
        <label className="inline-field">
          <span>{t('pickSlot')}</span>
          <select value={all ? 'all' : slot} onChange={(e) => pickSlot(e.target.value)} data-testid="chat-slot-picker">
            <option value="all">{t('allNumbers')}</option>
            {list.map((s) => (
              <option key={s.slot} value={s.slot}>
                {(s.name || s.phone
                  ? t('slotOptionNamed', { n: s.slot, name: s.name || formatPhone(s.phone) })
                  : t('slotOption', { n: s.slot })) +
                  ` — ${t(`state${s.state}` as MessageKey)}` +
                  (perSlot[s.slot] ? ` · ${t('unreadCount', { n: perSlot[s.slot]! })}` : '')}
              </option>
            ))}
          </select>
        </label>
        <NewChatButton defaultSlot={current?.ready ? slot : firstReady} />
        <NotifyButton />
      </div>
      {all && loaded ? (
        firstReady === undefined ? (
          <div className="empty-state" data-testid="slot-not-ready">
            <Icon name="power" size={36} />
            <p>{t('noReadySlot')}</p>
            <button type="button" className="btn primary" onClick={() => navigate('slots')}>
              {t('goToSlots')}
            </button>
          </div>
        ) : (
          <InboxPanes chatSlot={slot} chatId={chatId} focusId={params.msg ?? null} />
        )
      ) : !loaded && error !== null ? (
        <ErrorBlock error={error} onRetry={retry} />
      ) : !loaded ? (
        <div className="boot">{t('loading')}</div>
      ) : !current ? (
        <div className="empty-state" data-testid="slot-not-ready">
          <Icon name="power" size={36} />
          <p>{firstReady === undefined ? t('noReadySlot') : t('slotNotReady', { n: slot })}</p>
          <button type="button" className="btn primary" onClick={() => navigate('slots')}>
            {t('goToSlots')}
          </button>
        </div>
      ) : (
        // A stopped number still shows its history, read from the archive.
        <ChatPanes key={`${slot}:${current.ready}`} slot={slot} chatId={chatId} focusId={params.msg ?? null} archived={!current.ready} />
      )}
    </section>
  );
}

/** The filter box over a chat list; the bridge searches every chat once the typing pauses. */
function ChatFilter({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { t } = useApp();
  return (
    <div className="search-box">
      <Icon name="search" size={18} />
      <input type="search" value={value} onChange={(e) => onChange(e.target.value)} placeholder={t('searchChats')} aria-label={t('searchChats')} data-testid="chat-search" />
    </div>
  );
}

/** Loaded rows matching what is typed, shown at once while the bridge's answer is on its way. */
function matchLoaded<T extends ChatRow>(chats: T[], query: string): T[] {
  const q = fold(query.trim());
  if (!q) return chats;
  const digits = query.replace(/\D/g, '');
  return chats.filter((c) => fold(c.name).includes(q) || (digits.length > 0 && c.chatId.split('@')[0]!.includes(digits)));
}

function ChatPanes({ slot, chatId, focusId, archived }: { slot: number; chatId: string | null; focusId: string | null; archived: boolean }) {
  const { api, t } = useApp();
  const [query, setQuery] = useState('');
  const settled = useSettled(query.trim());
  const pages = useChatPages(api, archived ? '/api/archive/chats' : '/api/chats', slot, settled);
  const { chats, setChats, reload } = pages;
  useOnReconnect(reload);

  // Keep the live list live: move the chat to the top, update its preview and unread count.
  useBridgeEvents(
    (e) => {
      if (archived || e.type !== 'new_message' || e.slot !== slot) return;
      const m = e.message;
      setChats((list) => {
        if (!list) return list;
        if (settled && !list.some((c) => c.chatId === m.chatId)) return list;
        const open = m.chatId === chatId && document.visibilityState === 'visible';
        const row: ChatRow = list.find((c) => c.chatId === m.chatId) ?? {
          // A chat not loaded yet (new, or beyond the pages read so far): it comes to the top.
          chatId: m.chatId,
          name: m.fromMe || m.chatId.endsWith('@g.us') ? '' : m.senderName,
          isGroup: m.chatId.endsWith('@g.us'),
          unreadCount: 0,
          timestamp: 0,
          lastMessage: null,
          isMuted: false,
          muteExpiration: 0,
        };
        const updated: ChatRow = {
          ...row,
          timestamp: Math.max(row.timestamp, m.timestamp),
          lastMessage: m.body || row.lastMessage,
          unreadCount: m.fromMe || open ? row.unreadCount : row.unreadCount + 1,
        };
        return [updated, ...list.filter((c) => c.chatId !== m.chatId)];
      });
    },
    [slot, chatId, archived, settled, setChats],
  );

  // Opening a chat clears its badge (the thread tells the bridge to mark it read).
  useEffect(() => {
    if (!chatId) return;
    setChats((list) => list?.map((c) => (c.chatId === chatId ? { ...c, unreadCount: 0 } : c)) ?? list);
  }, [chatId, setChats]);

  const typing = query.trim() !== settled;
  const shown = useMemo(() => (chats && typing ? matchLoaded(chats, query) : chats ?? []), [chats, typing, query]);
  const openChat = chats?.find((c) => c.chatId === chatId) ?? null;
  const base = `#/chats?slot=${slot}`;

  return (
    <div className={chatId ? 'panes has-chat' : 'panes'}>
      <aside className="chat-list-pane">
        {archived && (
          <div className="notice archived-notice" role="status" data-testid="archived-notice">
            <p>{t('archivedNotice', { n: slot })}</p>
            <button type="button" className="btn small" onClick={() => navigate('slots')}>
              {t('goToSlots')}
            </button>
          </div>
        )}
        <ChatFilter value={query} onChange={setQuery} />
        {pages.error !== null && !chats ? (
          <ErrorBlock error={pages.error} onRetry={reload} />
        ) : !chats ? (
          <div className="boot">{t('loading')}</div>
        ) : shown.length === 0 ? (
          <p className="empty-line">{query ? (typing ? t('chatsSearchingAll') : t('noChatMatch', { q: query })) : archived ? t('archivedNoChats', { n: slot }) : t('noChats')}</p>
        ) : (
          <ChatList
            rows={shown.map((c) => ({ key: c.chatId, chat: c, href: `${base}&chat=${encodeURIComponent(c.chatId)}`, active: c.chatId === chatId }))}
            hasMore={!typing && pages.hasMore}
            loadingMore={pages.loadingMore}
            onMore={pages.more}
          />
        )}
      </aside>
      <div className="thread-pane">
        {chatId ? (
          archived ? (
            <ArchivedThread key={chatId} slot={slot} chatId={chatId} chat={openChat} focusId={focusId} />
          ) : (
            <Thread key={chatId} slot={slot} chatId={chatId} chat={openChat} focusId={focusId} />
          )
        ) : (
          <PickChat />
        )}
      </div>
    </div>
  );
}

/** Every ready number's chats in one list; each row names its number. */
function InboxPanes({ chatSlot, chatId, focusId }: { chatSlot: number; chatId: string | null; focusId: string | null }) {
  const { api, inbox, slots, t } = useApp();
  const loadedBySlot = useStore(inbox.chats);
  const chats = useMemo(() => mergedInbox(loadedBySlot), [loadedBySlot]);
  const hasMore = Object.keys(useStore(inbox.next)).length > 0;
  const loadingMore = useStore(inbox.loadingMore);
  const slotList = useStore(slots.slots);
  const [query, setQuery] = useState('');
  const settled = useSettled(query.trim());
  const slotsShown = useMemo(() => Object.keys(loadedBySlot).map(Number).sort((a, b) => a - b), [loadedBySlot]);
  const found = useInboxSearch(api, slotsShown, settled);
  const typing = query.trim() !== settled;
  const shown = !query.trim() ? chats : typing || !found.chats ? matchLoaded(chats, query) : found.chats;
  const openChat = chats.find((c) => c.slot === chatSlot && c.chatId === chatId) ?? found.chats?.find((c) => c.slot === chatSlot && c.chatId === chatId) ?? null;
  const label = (n: number) => {
    const s = slotList.find((x) => x.slot === n);
    return s?.phone ? formatPhone(s.phone) : t('slot', { n });
  };
  const searching = !!query.trim();
  const more = useCallback(() => void inbox.loadMore(), [inbox]);
  return (
    <div className={chatId ? 'panes has-chat' : 'panes'}>
      <aside className="chat-list-pane">
        <ChatFilter value={query} onChange={setQuery} />
        {searching && found.error !== null ? (
          <ErrorBlock error={found.error} onRetry={() => setQuery((q) => q + ' ')} />
        ) : shown.length === 0 ? (
          <p className="empty-line">{searching ? (typing || !found.chats ? t('chatsSearchingAll') : t('noChatMatch', { q: query })) : t('noChats')}</p>
        ) : (
          <ChatList
            rows={shown.map((c) => ({
              key: `${c.slot}:${c.chatId}`,
              chat: c,
              href: `#/chats?slot=all&in=${c.slot}&chat=${encodeURIComponent(c.chatId)}`,
              active: c.slot === chatSlot && c.chatId === chatId,
              via: label(c.slot),
            }))}
            hasMore={searching ? !typing && found.hasMore : hasMore}
            loadingMore={searching ? found.loadingMore : loadingMore}
            onMore={searching ? found.more : more}
          />
        )}
      </aside>
      <div className="thread-pane">
        {chatId ? (
          <Thread key={`${chatSlot}:${chatId}`} slot={chatSlot} chatId={chatId} chat={openChat} focusId={focusId} />
        ) : (
          <PickChat />
        )}
      </div>
    </div>
  );
}

/** The thread pane before a chat is chosen. */
function PickChat() {
  const { t } = useApp();
  return (
    <div className="empty-state">
      <Icon name="chats" size={40} />
      <p>{t('pickChat')}</p>
    </div>
  );
}

/** Browsers ask before showing notifications; the desktop app shows its own. */
function NotifyButton() {
  const { t } = useApp();
  const [asked, setAsked] = useState(false);
  if (asked || window.waBridge || typeof Notification === 'undefined' || Notification.permission !== 'default') return null;
  return (
    <button type="button" className="btn small" data-testid="notify-on" onClick={() => void Notification.requestPermission().finally(() => setAsked(true))}>
      {t('notifyOn')}
    </button>
  );
}
