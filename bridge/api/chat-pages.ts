// Pages of a chat list: newest activity first, a stable order (timestamp, then chat id) so a
// cursor (`before`) continues exactly where the last page ended, and a name/number filter (`q`)
// that runs over every chat, not only the ones a client has loaded.
import type { ChatRow } from '../domain/index.js';
import { fold } from '../archive/normalise.js';

/** Where a page starts: strictly older than this chat (its last-activity second, then its id). */
export interface ChatCursor {
  timestamp: number;
  chatId: string;
}

export interface ChatPageQuery {
  limit: number;
  before?: ChatCursor;
  q?: string;
}

export interface ChatPage<T extends ChatRow = ChatRow> {
  rows: T[];
  /** The cursor for the next page, or null when this page reached the end. */
  nextBefore: string | null;
}

/** `<unix seconds>:<chat id>`, e.g. `1779118652:962781523783@c.us`. */
export const CURSOR_PATTERN = /^(\d{1,12}):(.{1,200})$/;

export function encodeCursor(c: ChatCursor): string {
  return `${c.timestamp}:${c.chatId}`;
}

export function decodeCursor(text: string): ChatCursor | null {
  const m = CURSOR_PATTERN.exec(text);
  return m ? { timestamp: Number(m[1]), chatId: m[2]! } : null;
}

/** Newest first; chats active in the same second by id, so pages never overlap or skip. */
export function compareChats(a: ChatCursor, b: ChatCursor): number {
  return b.timestamp - a.timestamp || (a.chatId < b.chatId ? -1 : a.chatId > b.chatId ? 1 : 0);
}

/** Whether a chat's name or number matches what the owner typed (case, accents and Arabic forms folded). */
export function chatMatches(c: Pick<ChatRow, 'chatId' | 'name'>, q: string): boolean {
  const needle = fold(q.trim());
  if (!needle) return true;
  if (fold(c.name ?? '').includes(needle)) return true;
  // From the folded text, so Arabic-Indic digits (٩٦٢…) count as the digits they are.
  const digits = needle.replace(/\D/g, '');
  return digits.length > 0 && c.chatId.split('@')[0]!.includes(digits);
}

/** One page of `all` (any order) for the query. */
export function pageChats<T extends ChatRow>(all: T[], query: ChatPageQuery): ChatPage<T> {
  let list = [...all].sort(compareChats);
  if (query.q) list = list.filter((c) => chatMatches(c, query.q!));
  if (query.before) {
    const cursor = query.before;
    list = list.filter((c) => compareChats(cursor, c) < 0);
  }
  const rows = list.slice(0, query.limit);
  const last = rows.at(-1);
  return { rows, nextBefore: list.length > query.limit && last ? encodeCursor(last) : null };
}
