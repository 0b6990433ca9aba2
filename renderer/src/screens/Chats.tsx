// Chats: pick a slot, then a conversation from the live list, then read and answer in the thread.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useApp, useBridgeEvents, useOnReconnect } from '../state/app.js';
import { useStore } from '../state/store.js';
import { navigate } from '../state/route.js';
import type { ChatRow } from '../api/types.js';
import { Icon } from '../components/Icon.js';
import { Avatar } from '../components/Avatar.js';
import { ErrorBlock } from '../components/Notices.js';
import { formatDay, formatPhone, isMutedNow, phoneOfChat } from '../lib/format.js';
import { fold } from '../lib/highlight.js';
import { Thread } from './chats/Thread.js';
import { useSlotsLoaded } from '../state/useSlotsLoaded.js';
import { mergedInbox, unreadTotals, type InboxChat } from '../state/inbox.js';
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
      ) : !current?.ready ? (
        <div className="empty-state" data-testid="slot-not-ready">
          <Icon name="power" size={36} />
          <p>{firstReady === undefined ? t('noReadySlot') : t('slotNotReady', { n: slot })}</p>
          <button type="button" className="btn primary" onClick={() => navigate('slots')}>
            {t('goToSlots')}
          </button>
        </div>
      ) : (
        <ChatPanes key={slot} slot={slot} chatId={chatId} focusId={params.msg ?? null} />
      )}
    </section>
  );
}

function ChatPanes({ slot, chatId, focusId }: { slot: number; chatId: string | null; focusId: string | null }) {
  const { api, t } = useApp();
  const [chats, setChats] = useState<ChatRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [query, setQuery] = useState('');

  const load = useCallback(() => {
    setError(null);
    api.get<{ success: true; data: ChatRow[] } | ChatRow[]>('/api/chats', { slot, limit: 200 }).then(
      (res) => setChats(Array.isArray(res) ? res : res.data),
      setError,
    );
  }, [api, slot]);
  useEffect(load, [load]);
  useOnReconnect(load);

  // Keep the list live: move the chat to the top, update its preview and unread count.
  useBridgeEvents(
    (e) => {
      if (e.type !== 'new_message' || e.slot !== slot) return;
      const m = e.message;
      setChats((list) => {
        if (!list) return list;
        const row = list.find((c) => c.chatId === m.chatId);
        if (!row) {
          load();
          return list;
        }
        const open = m.chatId === chatId && document.visibilityState === 'visible';
        const updated: ChatRow = {
          ...row,
          timestamp: Math.max(row.timestamp, m.timestamp),
          lastMessage: m.body || row.lastMessage,
          unreadCount: m.fromMe || open ? row.unreadCount : row.unreadCount + 1,
        };
        return [updated, ...list.filter((c) => c.chatId !== m.chatId)];
      });
    },
    [slot, chatId, load],
  );

  // Opening a chat clears its badge (the thread tells the bridge to mark it read).
  useEffect(() => {
    if (!chatId) return;
    setChats((list) => list?.map((c) => (c.chatId === chatId ? { ...c, unreadCount: 0 } : c)) ?? list);
  }, [chatId]);

  const shown = useMemo(() => {
    if (!chats) return [];
    const q = fold(query.trim());
    if (!q) return chats;
    const digits = query.replace(/\D/g, '');
    return chats.filter((c) => fold(c.name).includes(q) || (digits.length > 0 && c.chatId.split('@')[0]!.includes(digits)));
  }, [chats, query]);

  const openChat = chats?.find((c) => c.chatId === chatId) ?? null;

  return (
    <div className={chatId ? 'panes has-chat' : 'panes'}>
      <aside className="chat-list-pane">
        <div className="search-box">
          <Icon name="search" size={18} />
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={t('searchChats')}
            aria-label={t('searchChats')}
            data-testid="chat-search"
          />
        </div>
        {error !== null ? (
          <ErrorBlock error={error} onRetry={load} />
        ) : !chats ? (
          <div className="boot">{t('loading')}</div>
        ) : shown.length === 0 ? (
          <p className="empty-line">{query ? t('noChatMatch', { q: query }) : t('noChats')}</p>
        ) : (
          <ul className="chat-list" data-testid="chat-list">
            {shown.map((c) => (
              <li key={c.chatId}>
                <ChatItem c={c} href={`#/chats?slot=${slot}&chat=${encodeURIComponent(c.chatId)}`} active={c.chatId === chatId} />
              </li>
            ))}
          </ul>
        )}
      </aside>
      <div className="thread-pane">
        {chatId ? (
          <Thread key={chatId} slot={slot} chatId={chatId} chat={openChat} focusId={focusId} />
        ) : (
          <div className="empty-state">
            <Icon name="chats" size={40} />
            <p>{t('pickChat')}</p>
          </div>
        )}
      </div>
    </div>
  );
}

/** Every ready number's chats in one list; each row names its number. */
function InboxPanes({ chatSlot, chatId, focusId }: { chatSlot: number; chatId: string | null; focusId: string | null }) {
  const { inbox, slots, t } = useApp();
  const chats = mergedInbox(useStore(inbox.chats));
  const slotList = useStore(slots.slots);
  const [query, setQuery] = useState('');
  const q = fold(query.trim());
  const digits = query.replace(/\D/g, '');
  const shown = q ? chats.filter((c) => fold(c.name).includes(q) || (digits.length > 0 && c.chatId.split('@')[0]!.includes(digits))) : chats;
  const openChat = chats.find((c) => c.slot === chatSlot && c.chatId === chatId) ?? null;
  const label = (n: number) => {
    const s = slotList.find((x) => x.slot === n);
    return s?.phone ? formatPhone(s.phone) : t('slot', { n });
  };
  return (
    <div className={chatId ? 'panes has-chat' : 'panes'}>
      <aside className="chat-list-pane">
        <div className="search-box">
          <Icon name="search" size={18} />
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t('searchChats')} aria-label={t('searchChats')} data-testid="chat-search" />
        </div>
        {shown.length === 0 ? (
          <p className="empty-line">{query ? t('noChatMatch', { q: query }) : t('noChats')}</p>
        ) : (
          <ul className="chat-list" data-testid="chat-list">
            {shown.map((c) => (
              <li key={`${c.slot}:${c.chatId}`}>
                <ChatItem c={c} href={`#/chats?slot=all&in=${c.slot}&chat=${encodeURIComponent(c.chatId)}`} active={c.slot === chatSlot && c.chatId === chatId} via={label(c.slot)} />
              </li>
            ))}
          </ul>
        )}
      </aside>
      <div className="thread-pane">
        {chatId ? (
          <Thread key={`${chatSlot}:${chatId}`} slot={chatSlot} chatId={chatId} chat={openChat} focusId={focusId} />
        ) : (
          <div className="empty-state">
            <Icon name="chats" size={40} />
            <p>{t('pickChat')}</p>
          </div>
        )}
      </div>
    </div>
  );
}

function ChatItem({ c, href, active, via }: { c: InboxChat | ChatRow; href: string; active: boolean; via?: string }) {
  const { t, lang } = useApp();
  const muted = c.isMuted && isMutedNow(c.muteExpiration);
  return (
    <a href={href} className={active ? 'chat-item active' : 'chat-item'} aria-current={active ? 'true' : undefined} data-testid="chat-item" data-chat-id={c.chatId} data-slot={'slot' in c ? c.slot : undefined}>
      <Avatar id={c.chatId} name={c.name} group={c.isGroup} />
      <span className="chat-item-main">
        <span className="chat-item-top">
          <span className="chat-name" dir="auto">
            {c.name || formatPhone(phoneOfChat(c.chatId))}
          </span>
          <span className={c.unreadCount > 0 ? 'chat-time unread' : 'chat-time'}>{c.timestamp ? formatDay(c.timestamp, lang) : ''}</span>
        </span>
        <span className="chat-item-bottom">
          <span className="chat-preview" dir="auto">
            {c.lastMessage ?? ''}
          </span>
          {muted && (
            <span className="muted-icon" title={t('muted')} data-testid="muted-icon">
              <Icon name="muted" size={16} />
              <span className="sr-only">{t('muted')}</span>
            </span>
          )}
          {c.unreadCount > 0 && (
            <span className={muted ? 'unread-badge quiet' : 'unread-badge'} data-testid="unread-badge" aria-label={t('unreadCount', { n: c.unreadCount })}>
              {c.unreadCount}
            </span>
          )}
        </span>
        {via && (
          <span className="chat-via fine" dir="ltr" data-testid="chat-via">
            {via}
          </span>
        )}
      </span>
    </a>
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
