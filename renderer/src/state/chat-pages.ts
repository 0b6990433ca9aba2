// A chat list read page by page from the bridge (`GET /api/chats` live, `/api/archive/chats` for
// a stopped number): the first page at once, the next when the list is scrolled near its end
// (cursor `before` = the last page's `nextBefore`). With a filter the bridge searches every chat.
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import type { Api } from '../api/client.js';
import type { ChatRow } from '../api/types.js';

export const CHAT_PAGE = 100;

export type ChatPageReply = { data: ChatRow[]; nextBefore?: string | null } | ChatRow[];

export interface ChatPages {
  chats: ChatRow[] | null;
  setChats: Dispatch<SetStateAction<ChatRow[] | null>>;
  error: unknown;
  hasMore: boolean;
  loadingMore: boolean;
  more: () => void;
  reload: () => void;
}

/** Rows of one reply (older bridges answer a bare array and no cursor). */
export function pageOf(r: ChatPageReply): { rows: ChatRow[]; next: string | null } {
  return Array.isArray(r) ? { rows: r, next: null } : { rows: r.data, next: r.nextBefore ?? null };
}

/** Add a page, keeping each chat once (a chat that moved up meanwhile stays where it is). */
export function appendPage(list: ChatRow[], page: ChatRow[]): ChatRow[] {
  const have = new Set(list.map((c) => c.chatId));
  return [...list, ...page.filter((c) => !have.has(c.chatId))];
}

export function useChatPages(api: Api, route: '/api/chats' | '/api/archive/chats', slot: number, q: string): ChatPages {
  const [chats, setChats] = useState<ChatRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // Answers to an earlier slot/filter are dropped.
  const generation = useRef(0);

  const reload = useCallback(() => {
    const gen = ++generation.current;
    setError(null);
    setLoadingMore(false);
    api.get<ChatPageReply>(route, { slot, limit: CHAT_PAGE, q: q || undefined }).then(
      (r) => {
        if (gen !== generation.current) return;
        const page = pageOf(r);
        setChats(page.rows);
        setNext(page.next);
      },
      (e) => gen === generation.current && setError(e),
    );
  }, [api, route, slot, q]);

  useEffect(() => {
    setChats(null);
    reload();
  }, [reload]);

  const more = useCallback(() => {
    if (!next || loadingMore) return;
    const gen = generation.current;
    setLoadingMore(true);
    api.get<ChatPageReply>(route, { slot, limit: CHAT_PAGE, q: q || undefined, before: next }).then(
      (r) => {
        if (gen !== generation.current) return;
        const page = pageOf(r);
        setChats((list) => appendPage(list ?? [], page.rows));
        setNext(page.next);
        setLoadingMore(false);
      },
      (e) => {
        if (gen !== generation.current) return;
        setLoadingMore(false);
        setError(e);
      },
    );
  }, [api, route, slot, q, next, loadingMore]);

  return { chats, setChats, error, hasMore: next !== null, loadingMore, more, reload };
}

/** The text typed into a filter box, settled (a request per pause, not per key). */
export function useSettled(value: string, ms = 250): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (!value) {
      setSettled('');
      return;
    }
    const id = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return settled;
}

/**
 * The unified inbox filtered on the bridge: every given number's chats matching `q`, newest
 * first, each row naming its slot (the first page of each; `more` continues those that have more).
 */
export function useInboxSearch(api: Api, slots: number[], q: string): { chats: (ChatRow & { slot: number })[] | null; error: unknown; hasMore: boolean; loadingMore: boolean; more: () => void } {
  const [found, setFound] = useState<Record<number, (ChatRow & { slot: number })[]> | null>(null);
  const [next, setNext] = useState<Record<number, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const generation = useRef(0);
  const key = slots.join(',');

  const fetchPages = useCallback(
    async (which: number[], before: Record<number, string>) => {
      const pages = await Promise.all(
        which.map(async (slot) => ({ slot, ...pageOf(await api.get<ChatPageReply>('/api/chats', { slot, q, limit: CHAT_PAGE, before: before[slot] })) })),
      );
      return pages;
    },
    [api, q],
  );

  useEffect(() => {
    const gen = ++generation.current;
    setFound(null);
    setNext({});
    setError(null);
    if (!q) return;
    const which = key ? key.split(',').map(Number) : [];
    fetchPages(which, {}).then(
      (pages) => {
        if (gen !== generation.current) return;
        setFound(Object.fromEntries(pages.map((p) => [p.slot, p.rows.map((c) => ({ ...c, slot: p.slot }))])));
        setNext(Object.fromEntries(pages.filter((p) => p.next).map((p) => [p.slot, p.next!])));
      },
      (e) => gen === generation.current && setError(e),
    );
  }, [key, q, fetchPages]);

  const more = useCallback(() => {
    const which = Object.keys(next).map(Number);
    if (!which.length || loadingMore) return;
    const gen = generation.current;
    setLoadingMore(true);
    fetchPages(which, next).then(
      (pages) => {
        if (gen !== generation.current) return;
        setFound((all) => {
          const out = { ...(all ?? {}) };
          for (const p of pages) out[p.slot] = appendPage(out[p.slot] ?? [], p.rows).map((c) => ({ ...c, slot: p.slot }));
          return out;
        });
        setNext(Object.fromEntries(pages.filter((p) => p.next).map((p) => [p.slot, p.next!])));
        setLoadingMore(false);
      },
      (e) => {
        if (gen !== generation.current) return;
        setLoadingMore(false);
        setError(e);
      },
    );
  }, [next, loadingMore, fetchPages]);

  const chats = found ? Object.values(found).flat().sort((a, b) => b.timestamp - a.timestamp || a.slot - b.slot) : null;
  return { chats, error, hasMore: Object.keys(next).length > 0, loadingMore, more };
}
