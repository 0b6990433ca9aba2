// Keyboard shortcuts: Ctrl+K (or "/" outside a text field) opens Search with the cursor in it;
// Alt+N opens the next chat with unread messages, across all numbers.
import { useEffect } from 'react';
import { isMutedNow } from '../lib/format.js';
import { mergedInbox, type InboxModel } from './inbox.js';
import { navigate } from './route.js';

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

function focusWhenShown(selector: string): void {
  let tries = 0;
  const attempt = () => {
    const el = document.querySelector<HTMLElement>(selector);
    if (el) el.focus();
    else if (tries++ < 50) requestAnimationFrame(attempt);
  };
  attempt();
}

export function useShortcuts(inbox: InboxModel): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
      if (((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') || (e.key === '/' && !typing(e.target))) {
        e.preventDefault();
        if (!location.hash.startsWith('#/search')) navigate('search');
        focusWhenShown('[data-testid=search-input]');
      } else if (e.altKey && e.key.toLowerCase() === 'n') {
        e.preventDefault();
        const current = `${params.get('in') ?? params.get('slot')}:${params.get('chat')}`;
        const unread = mergedInbox(inbox.chats.get()).filter((c) => c.unreadCount > 0 && `${c.slot}:${c.chatId}` !== current);
        const next = unread.find((c) => !(c.isMuted && isMutedNow(c.muteExpiration))) ?? unread[0];
        if (next) navigate('chats', { slot: 'all', in: next.slot, chat: next.chatId });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [inbox]);
}
