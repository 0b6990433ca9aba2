import { describe, expect, it } from 'vitest';
import type { ChatRow } from '../domain/index.js';
import { chatMatches, compareChats, decodeCursor, encodeCursor, pageChats } from './chat-pages.js';

const chat = (chatId: string, timestamp: number, name = ''): ChatRow => ({
  chatId, name, isGroup: chatId.endsWith('@g.us'), unreadCount: 0, timestamp, lastMessage: null, isMuted: false, muteExpiration: 0,
});
const ids = (rows: ChatRow[]) => rows.map((c) => c.chatId);

describe('chat pages', () => {
  const all = [chat('3@c.us', 100), chat('1@c.us', 300), chat('2@c.us', 100), chat('4@c.us', 200), chat('5@c.us', 100)];

  it('orders newest first, then by chat id within a second', () => {
    expect(ids([...all].sort(compareChats))).toEqual(['1@c.us', '4@c.us', '2@c.us', '3@c.us', '5@c.us']);
  });

  it('pages exactly through chats that share a second, the last page without a cursor', () => {
    const first = pageChats(all, { limit: 3 });
    expect(ids(first.rows)).toEqual(['1@c.us', '4@c.us', '2@c.us']);
    expect(first.nextBefore).toBe('100:2@c.us');
    const second = pageChats(all, { limit: 3, before: decodeCursor(first.nextBefore!)! });
    expect(ids(second.rows)).toEqual(['3@c.us', '5@c.us']);
    expect(second.nextBefore).toBeNull();
    // Exactly `limit` left: no further page is promised.
    expect(pageChats(all, { limit: 5 }).nextBefore).toBeNull();
    expect(pageChats(all, { limit: 4 }).nextBefore).toBe('100:3@c.us');
    expect(pageChats([], { limit: 3 })).toEqual({ rows: [], nextBefore: null });
  });

  it('reads and writes cursors; refuses malformed ones', () => {
    expect(decodeCursor(encodeCursor({ timestamp: 1779118652, chatId: '120363-1@g.us' }))).toEqual({ timestamp: 1779118652, chatId: '120363-1@g.us' });
    for (const bad of ['', '12', ':a@c.us', 'x:a@c.us', '12:', '-1:a@c.us']) expect(decodeCursor(bad), bad).toBeNull();
  });

  it('filters by name (folded) or number digits, before paging', () => {
    const named = [chat('962781523783@c.us', 5, 'عُمَر الحدّاد'), chat('447700900123@c.us', 4, 'Sarah Jónes'), chat('15550001111@c.us', 3)];
    expect(chatMatches(named[1]!, 'JONES')).toBe(true);
    expect(chatMatches(named[0]!, 'عمر')).toBe(true);
    expect(chatMatches(named[0]!, '+962 78')).toBe(true);
    expect(chatMatches(named[2]!, 'sarah')).toBe(false);
    expect(chatMatches(named[2]!, '   ')).toBe(true);
    // Digits typed on an Arabic or Persian keyboard find the number too.
    expect(chatMatches(named[0]!, '٩٦٢ ٧٨١')).toBe(true);
    expect(chatMatches(named[0]!, '۹۶۲۷۸')).toBe(true);
    expect(chatMatches(named[1]!, '٩٦٢')).toBe(false);
    const page = pageChats(named, { limit: 1, q: '7' });
    expect(ids(page.rows)).toEqual(['962781523783@c.us']);
    expect(ids(pageChats(named, { limit: 1, q: '7', before: decodeCursor(page.nextBefore!)! }).rows)).toEqual(['447700900123@c.us']);
  });
});
