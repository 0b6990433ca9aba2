// One conversation: messages (live), ticks from ack events, poll votes, mark-read, jump-to-message.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useApp, useBridgeEvents, useOnReconnect } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import type { ChatRow, Message, PollVoteRow } from '../../api/types.js';
import { ErrorBlock, useReportError } from '../../components/Notices.js';
import { localSeq, mergeMessages } from '../../lib/messages.js';
import { applyVote, type Vote } from '../../lib/polls.js';
import { renameSent } from '../../state/sent.js';
import { MessageList } from './MessageList.js';
import { ThreadHead } from './ThreadHead.js';
import { unreadDividerId } from '../../lib/unread.js';
import { Composer } from './Composer.js';
import { useHuntMessage } from './useHuntMessage.js';

export type Votes = Record<string, Record<string, Vote>>;

/** Messages per older page. */
const OLDER_PAGE = 100;

type ListReply = { success: true; data: Message[] } | Message[];
const rows = (r: ListReply) => (Array.isArray(r) ? r : r.data);

export function Thread({ slot, chatId, chat, focusId }: { slot: number; chatId: string; chat: ChatRow | null; focusId: string | null }) {
  const { api, t, unsent } = useApp();
  const unsentAll = useStore(unsent.items);
  const [reloads, setReloads] = useState(0);
  // The unread count when this chat opened (reading it sets the live one to 0 at once).
  const [openedUnread, setOpenedUnread] = useState<{ chatId: string; n: number; known: boolean }>({ chatId, n: chat?.unreadCount ?? 0, known: !!chat });
  if (openedUnread.chatId !== chatId) setOpenedUnread({ chatId, n: chat?.unreadCount ?? 0, known: !!chat });
  else if (!openedUnread.known && chat) setOpenedUnread({ chatId, n: chat.unreadCount, known: true });
  const report = useReportError();
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [acks, setAcks] = useState<Record<string, number>>({});
  const [votes, setVotes] = useState<Votes>({});
  const [olderDone, setOlderDone] = useState(false);
  // The live chat has no more older messages: the next pages come from the archive.
  const fromArchive = useRef(false);
  // A short live list is the whole chat; the button would only tease.
  const [fewLive, setFewLive] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const polled = useRef(new Set<string>());

  const { inbox } = useApp();
  const markRead = useCallback(() => {
    inbox.markRead(slot, chatId);
    api.post('/api/mark-read', { slot, chatId }).catch(() => undefined);
  }, [api, inbox, slot, chatId]);

  // Messages of the chat on screen are read as they come: no unread count, no notification.
  useEffect(() => {
    inbox.open = { slot, chatId };
    return () => {
      if (inbox.open?.slot === slot && inbox.open.chatId === chatId) inbox.open = null;
    };
  }, [inbox, slot, chatId]);

  useEffect(() => {
    let stop = false;
    setError(null);
    api.get<ListReply>('/api/messages', { slot, chatId, limit: 50 }).then(
      (r) => {
        if (stop) return;
        const list = mergeMessages([], rows(r));
        setMessages(list);
        fromArchive.current = false;
        setOlderDone(false);
        setFewLive(list.length < 50);
      },
      (e) => !stop && setError(e),
    );
    markRead();
    return () => {
      stop = true;
    };
  }, [api, slot, chatId, markRead, reloads]);

  // Back from an outage: reload, since messages may have come and gone meanwhile.
  useOnReconnect(useCallback(() => setReloads((n) => n + 1), []));

  // A kept message that finally went out: show the bridge's row in its place.
  useEffect(() => {
    unsent.onSent = (u, messageId) => {
      if (u.slot !== slot || u.chatId !== chatId) return;
      renameSent(u.row.id, messageId);
      setMessages((list) => mergeMessages(list ?? [], [{ ...u.row, id: messageId, ack: 1 }]));
    };
    return () => {
      unsent.onSent = null;
    };
  }, [unsent, slot, chatId]);

  const kept = useMemo(() => unsentAll.filter((u) => u.slot === slot && u.chatId === chatId), [unsentAll, slot, chatId]);
  const shown = useMemo(
    () => (messages && kept.length ? mergeMessages(messages, kept.map((u) => ({ ...u.row, ack: u.state === 'failed' ? 0 : 1 }) as Message)) : messages),
    [messages, kept],
  );

  // Older pages: first the live chat (`before` the oldest message shown), then, once it has no
  // more, the archive (it keeps everything the live chat has dropped).
  const busy = useRef(false);
  const loadOlder = useCallback(async (): Promise<Message[]> => {
    // Scroll events come faster than renders: one page at a time.
    if (busy.current) return [];
    busy.current = true;
    setLoadingOlder(true);
    const loaded = (messages ?? []).filter((m) => !m.id.startsWith('local-'));
    try {
      let older: Message[] = [];
      const oldest = loaded[0];
      if (!fromArchive.current && oldest) {
        older = await api.get<ListReply>('/api/messages', { slot, chatId, limit: OLDER_PAGE, before: oldest.id }).then(rows, () => []);
        if (older.length < OLDER_PAGE) fromArchive.current = true;
      }
      if (older.length === 0) {
        fromArchive.current = true;
        // Newest first: skipping what is loaded reaches the next older page.
        older = rows(await api.get<ListReply>('/api/archive', { slot, chatId, limit: OLDER_PAGE, offset: loaded.length }));
        if (older.length < OLDER_PAGE) setOlderDone(true);
      }
      setMessages((list) => mergeMessages(list ?? [], older));
      return older;
    } catch (e) {
      report(e);
      setOlderDone(true);
      return [];
    } finally {
      busy.current = false;
      setLoadingOlder(false);
    }
  }, [api, slot, chatId, messages, report]);

  // Jump to a message (from search): page back through the archive until it is loaded.
  const { flashId, hunting } = useHuntMessage(focusId, messages, !olderDone && !loadingOlder, loadOlder);

  // Poll tallies load once per poll; live votes then arrive as broadcasts.
  useEffect(() => {
    for (const m of messages ?? []) {
      if (m.type !== 'poll' || m.id.startsWith('local-') || polled.current.has(m.id)) continue;
      polled.current.add(m.id);
      api
        .get<{ success: true; data: { messageId: string; votes: PollVoteRow[] } }>('/api/poll-votes', { slot, messageId: m.id })
        .then((r) => setVotes((all) => ({ ...all, [m.id]: r.data.votes.reduce((acc, v) => applyVote(acc, v), all[m.id] ?? {}) })))
        .catch(() => undefined);
    }
  }, [api, slot, messages]);

  useBridgeEvents(
    (e) => {
      if (e.slot !== slot) return;
      if (e.type === 'new_message' && e.message.chatId === chatId) {
        const m = e.message;
        setMessages((list) => {
          let rows = list ?? [];
          // Our own send echoed back before the REST reply: it replaces the pending copy at once.
          const pending = m.fromMe ? rows.find((x) => x.id.startsWith('local-') && x.type === m.type && x.body === m.body) : undefined;
          if (pending) {
            renameSent(pending.id, m.id);
            rows = rows.filter((x) => x !== pending);
          }
          return mergeMessages(rows, [m]);
        });
        if (!e.message.fromMe && document.visibilityState === 'visible') markRead();
      } else if (e.type === 'message_ack' && e.chatId === chatId) {
        setAcks((a) => ({ ...a, [e.messageId]: e.ack }));
      } else if (e.type === 'poll_vote' && e.chatId === chatId) {
        setVotes((all) => ({ ...all, [e.messageId]: applyVote(all[e.messageId] ?? {}, e) }));
      }
    },
    [slot, chatId, markRead],
  );

  /** Show a message we are sending now; returns a function that settles it with the bridge's id. */
  const addLocal = useCallback((m: Omit<Message, 'id' | 'chatId' | 'fromMe' | 'timestamp' | 'ack' | 'senderName'>) => {
    const localId = `local-${Date.now()}-${Math.random().toString(36).slice(2, 7)}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const row: Message = { ...m, id: localId, chatId, fromMe: 1, timestamp, seq: localSeq(timestamp), ack: 1, senderName: '' };
    setMessages((list) => mergeMessages(list ?? [], [row]));
    return {
      localId,
      fail: (route: '/api/send' | '/api/send-media' | '/api/send-poll', body: Record<string, unknown>, error: unknown) => {
        setMessages((list) => list?.filter((x) => x.id !== localId) ?? list);
        unsent.keep({ row: { ...row, ack: 0 }, slot, chatId, route, body, error });
      },
      settle: (messageId: string) => {
        setMessages((list) => {
          if (!list) return list;
          renameSent(localId, messageId);
          // The broadcast of our own message may have beaten the reply.
          if (list.some((x) => x.id === messageId)) return list.filter((x) => x.id !== localId);
          return list.map((x) => (x.id === localId ? { ...x, id: messageId } : x));
        });
      },
    };
  }, [chatId, slot, unsent]);

  return (
    <div className="thread" data-testid="thread" data-chat-id={chatId}>
      <ThreadHead slot={slot} chatId={chatId} chat={chat} />
      {error !== null && <ErrorBlock error={error} onRetry={() => setReloads((n) => n + 1)} />}
      {error === null && !messages ? (
        <div className="boot">{t('loading')}</div>
      ) : messages || kept.length > 0 ? (
        <MessageList
          messages={shown ?? kept.map((u) => ({ ...u.row, ack: u.state === 'failed' ? 0 : 1 }) as Message)}
          unsent={kept}
          acks={acks}
          votes={votes}
          isGroup={!!chat?.isGroup}
          flashId={flashId}
          canLoadOlder={!!messages && !olderDone && !fewLive}
          loadingOlder={loadingOlder}
          onLoadOlder={() => void loadOlder()}
          dividerId={shown ? unreadDividerId(shown, openedUnread.chatId === chatId ? openedUnread.n : 0) : null}
          dividerCount={openedUnread.n}
          jumping={hunting && !olderDone}
        />
      ) : null}
      <Composer slot={slot} chatId={chatId} addLocal={addLocal} />
    </div>
  );
}
