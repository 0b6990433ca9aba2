// A stopped number's conversation, read from the archive: the same bubbles as a live chat, older
// pages on request, and a composer that says why it cannot send instead of failing on Enter.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApp } from '../../state/app.js';
import type { ChatRow, Message } from '../../api/types.js';
import { Icon } from '../../components/Icon.js';
import { ErrorBlock } from '../../components/Notices.js';
import { mergeMessages } from '../../lib/messages.js';
import { MessageList } from './MessageList.js';
import { ThreadHead } from './ThreadHead.js';
import { useHuntMessage } from './useHuntMessage.js';

const PAGE = 100;
type ListReply = { success: true; data: Message[] } | Message[];
const rowsOf = (r: ListReply) => (Array.isArray(r) ? r : r.data);

export function ArchivedThread({ slot, chatId, chat, focusId }: { slot: number; chatId: string; chat: ChatRow | null; focusId: string | null }) {
  const { api, t } = useApp();
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const offset = useRef(0);

  const loadPage = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const page = rowsOf(await api.get<ListReply>('/api/archive', { slot, chatId, limit: PAGE, offset: offset.current }));
      offset.current += page.length;
      if (page.length < PAGE) setDone(true);
      setMessages((list) => mergeMessages(list ?? [], page));
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, [api, slot, chatId]);

  useEffect(() => {
    void loadPage();
  }, [loadPage]);

  // Jump to a message (from search): page back until it is loaded.
  const { flashId } = useHuntMessage(focusId, messages, !done && !loading && error === null, loadPage);

  const reasonId = `archived-reason-${slot}`;
  return (
    <div className="thread archived" data-testid="thread" data-chat-id={chatId} data-archived="true">
      <ThreadHead slot={slot} chatId={chatId} chat={chat} />
      {error !== null && <ErrorBlock error={error} onRetry={() => void loadPage()} />}
      {error === null && !messages ? (
        <div className="boot">{t('loading')}</div>
      ) : messages ? (
        <MessageList
          messages={messages}
          acks={{}}
          votes={{}}
          isGroup={!!chat?.isGroup}
          flashId={flashId}
          canLoadOlder={!done}
          loadingOlder={loading}
          onLoadOlder={() => void loadPage()}
        />
      ) : null}
      <div className="composer archived-composer" data-testid="composer">
        <div className="composer-row">
          <textarea rows={1} disabled aria-label={t('typeMessage')} aria-describedby={reasonId} data-testid="compose" placeholder={t('typeMessage')} />
        </div>
        <p id={reasonId} className="archived-reason" data-testid="composer-disabled-reason">
          <Icon name="power" size={14} /> {t('archivedReadOnly', { n: slot })}
        </p>
      </div>
    </div>
  );
}
