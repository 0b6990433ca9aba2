// The chat list pane's rows, virtualised (react-virtuoso, as the message list): only the rows in
// view are in the page, so a number with thousands of chats scrolls as smoothly as one with ten.
// Near the end the next page is asked for; a button does the same for keyboard and screen-reader users.
import { forwardRef, type HTMLAttributes } from 'react';
import { Virtuoso } from 'react-virtuoso';
import { useApp } from '../../state/app.js';
import type { ChatRow } from '../../api/types.js';
import type { InboxChat } from '../../state/inbox.js';
import { Avatar } from '../../components/Avatar.js';
import { Icon } from '../../components/Icon.js';
import { formatDay, formatPhone, isMutedNow, phoneOfChat } from '../../lib/format.js';

/** Rows drawn beyond the visible ones (px), so a fast scroll does not show blanks. */
const OVERSCAN_PX = 600;

export interface ChatListRow {
  key: string;
  chat: InboxChat | ChatRow;
  href: string;
  active: boolean;
  via?: string;
}

interface MoreContext {
  hasMore: boolean;
  loadingMore: boolean;
  onMore: () => void;
}

export function ChatList(p: { rows: ChatListRow[]; hasMore: boolean; loadingMore: boolean; onMore: () => void }) {
  const { hasMore, loadingMore, onMore } = p;
  return (
    <Virtuoso<ChatListRow, MoreContext>
      className="chat-list"
      data={p.rows}
      context={{ hasMore, loadingMore, onMore }}
      computeItemKey={(_, row) => row.key}
      increaseViewportBy={OVERSCAN_PX}
      endReached={() => hasMore && !loadingMore && onMore()}
      itemContent={(_, row) => <ChatItem c={row.chat} href={row.href} active={row.active} via={row.via} />}
      components={{ Scroller, List, Item, Footer: MoreFooter }}
    />
  );
}

const Scroller = forwardRef<HTMLDivElement, HTMLAttributes<HTMLDivElement>>(function Scroller(props, ref) {
  return <div {...props} ref={ref} data-testid="chat-list" />;
});

const List = forwardRef<HTMLUListElement, HTMLAttributes<HTMLUListElement>>(function List(props, ref) {
  return <ul {...props} ref={ref} className="chat-list-rows" />;
});

function Item(props: HTMLAttributes<HTMLLIElement>) {
  return <li {...props} />;
}

function MoreFooter({ context }: { context?: MoreContext }) {
  const { t } = useApp();
  if (!context?.hasMore) return null;
  return (
    <div className="chat-list-footer">
      <button type="button" className="btn small chat-list-more" onClick={context.onMore} disabled={context.loadingMore} data-testid="chat-list-more">
        {context.loadingMore ? t('chatListLoadingMore') : t('chatListMore')}
      </button>
    </div>
  );
}

export function ChatItem({ c, href, active, via }: { c: InboxChat | ChatRow; href: string; active: boolean; via?: string }) {
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
