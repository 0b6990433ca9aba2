// The bar above a conversation: back to the list, the contact's picture, name and number. Shared by
// live and archived (stopped number) threads.
import { useApp } from '../../state/app.js';
import { navigate } from '../../state/route.js';
import type { ChatRow } from '../../api/types.js';
import { Avatar } from '../../components/Avatar.js';
import { Icon } from '../../components/Icon.js';
import { formatPhone, phoneOfChat } from '../../lib/format.js';

export function ThreadHead({ slot, chatId, chat }: { slot: number; chatId: string; chat: ChatRow | null }) {
  const { t } = useApp();
  const name = chat?.name || formatPhone(phoneOfChat(chatId)) || chatId;
  return (
    <header className="thread-head">
      <button type="button" className="icon-btn back-btn" aria-label={t('backToList')} onClick={() => navigate('chats', { slot })}>
        <Icon name="back" className="flip-rtl" />
      </button>
      <Avatar id={chatId} name={name} group={chat?.isGroup} size={38} />
      <div className="thread-title">
        <h2 dir="auto">{name}</h2>
        <span className="fine" dir="ltr">
          {chat?.isGroup ? t('group') : formatPhone(phoneOfChat(chatId))}
        </span>
      </div>
    </header>
  );
}
