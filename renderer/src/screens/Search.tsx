// Archive search across one slot or all: highlighted matches, infinite scroll, jump to the chat.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useApp } from '../state/app.js';
import { useStore } from '../state/store.js';
import { navigate, routeHash } from '../state/route.js';
import type { SearchResult } from '../api/types.js';
import { Icon } from '../components/Icon.js';
import { ErrorBlock } from '../components/Notices.js';
import { highlight } from '../lib/highlight.js';
import { formatDateTime, formatPhone, phoneOfChat } from '../lib/format.js';

const PAGE = 30;
type Row = SearchResult['data'][number];

export function SearchScreen({ params }: { params: Record<string, string> }) {
  const { api, slots, t, lang } = useApp();
  const slotList = useStore(slots.slots);
  const query = params.q ?? '';
  const slot = params.slot ?? '';
  // Newest first unless the owner asks for the best matches.
  const order = params.order === 'relevance' ? 'relevance' : 'newest';
  const { inbox } = useApp();
  const chatsBySlot = useStore(inbox.chats);
  // Narrowing: one chat, and a date range (local calendar days, both ends included).
  const chat = params.chat ?? '';
  const from = params.from ?? '';
  const to = params.to ?? '';
  const badRange = !!from && !!to && from > to;
  const [draft, setDraft] = useState(query);
  const [draftSlot, setDraftSlot] = useState(slot);
  const [rows, setRows] = useState<Row[]>([]);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);
  const sentinel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setDraft(query);
    setDraftSlot(slot);
  }, [query, slot]);

  const fetchPage = useCallback(
    async (offset: number) => {
      const gen = generation.current;
      setBusy(true);
      setError(null);
      try {
        const r = await api.get<SearchResult>('/api/archive/search', {
          query, limit: PAGE, offset, slot: slot || undefined, order,
          chatId: chat || undefined, from: from ? dayStart(from) : undefined, to: to ? dayEnd(to) : undefined,
        });
        if (gen !== generation.current) return;
        setRows((old) => (offset === 0 ? r.data : [...old, ...r.data.filter((x) => !old.some((o) => o.id === x.id && o.slot === x.slot))]));
        setDone(r.data.length < PAGE);
      } catch (e) {
        if (gen === generation.current) setError(e);
      } finally {
        if (gen === generation.current) setBusy(false);
      }
    },
    [api, query, slot, order, chat, from, to],
  );

  // A new query, slot or filter starts over.
  useEffect(() => {
    generation.current++;
    setRows([]);
    setDone(false);
    if (query.trim() && !badRange) void fetchPage(0);
  }, [query, slot, order, badRange, fetchPage]);

  // Infinite scroll: fetch the next page when the end of the list comes into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || done || busy || error !== null || rows.length === 0) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void fetchPage(rows.length);
    });
    io.observe(el);
    return () => io.disconnect();
  }, [rows.length, done, busy, error, fetchPage]);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!draft.trim()) return;
    navigate('search', { q: draft.trim(), slot: draftSlot || undefined, order: order === 'relevance' ? 'relevance' : undefined, chat: chat || undefined, from: from || undefined, to: to || undefined });
  }

  /** Change one filter; a search on screen is run again with it. */
  function setFilter(change: { chat?: string; from?: string; to?: string }) {
    const next = { chat, from, to, ...change };
    navigate('search', {
      q: query || draft.trim() || undefined,
      slot: slot || undefined,
      order: order === 'relevance' ? 'relevance' : undefined,
      chat: next.chat || undefined,
      from: next.from || undefined,
      to: next.to || undefined,
    });
  }
  // The chats to narrow to: those of the chosen number (or of every number) in the inbox.
  const chatChoices = (slot ? chatsBySlot[Number(slot)] ?? [] : Object.values(chatsBySlot).flat())
    .filter((c, i, all) => all.findIndex((x) => x.chatId === c.chatId) === i)
    .sort((a, b) => (a.name || a.chatId).localeCompare(b.name || b.chatId, lang));

  return (
    <section className="screen search-screen" aria-labelledby="search-title">
      <div className="screen-head compact">
        <h1 id="search-title">{t('searchTitle')}</h1>
      </div>
      <form className="search-bar" onSubmit={submit} role="search">
        <div className="search-box big">
          <Icon name="search" />
          <input
            type="search"
            dir="auto"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder={t('searchPlaceholder')}
            aria-label={t('searchPlaceholder')}
            data-testid="search-input"
            autoFocus
          />
        </div>
        <select value={draftSlot} onChange={(e) => setDraftSlot(e.target.value)} aria-label={t('pickSlot')} data-testid="search-slot">
          <option value="">{t('allSlots')}</option>
          {slotList.map((s) => (
            <option key={s.slot} value={String(s.slot)}>
              {t('slotOption', { n: s.slot })}
            </option>
          ))}
        </select>
        <select
          value={order}
          onChange={(e) =>
            query && navigate('search', { q: query, slot: slot || undefined, order: e.target.value === 'relevance' ? 'relevance' : undefined, chat: chat || undefined, from: from || undefined, to: to || undefined })
          }
          aria-label={t('searchOrder')}
          data-testid="search-order"
        >
          <option value="newest">{t('searchNewest')}</option>
          <option value="relevance">{t('searchRelevance')}</option>
        </select>
        <button type="submit" className="btn primary" disabled={!draft.trim()} data-testid="search-submit">
          {t('searchAction')}
        </button>
      </form>
      <div className="search-filters" data-testid="search-filters">
        <label className="inline-field">
          <span>{t('searchFilterChat')}</span>
          <select value={chat} onChange={(e) => setFilter({ chat: e.target.value })} data-testid="search-chat">
            <option value="">{t('searchAnyChat')}</option>
            {chat && !chatChoices.some((c) => c.chatId === chat) && <option value={chat}>{formatPhone(phoneOfChat(chat))}</option>}
            {chatChoices.map((c) => (
              <option key={c.chatId} value={c.chatId}>
                {c.name || formatPhone(phoneOfChat(c.chatId))}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>{t('searchFrom')}</span>
          <input type="date" value={from} max={to || undefined} onChange={(e) => setFilter({ from: e.target.value })} data-testid="search-from" />
        </label>
        <label className="inline-field">
          <span>{t('searchTo')}</span>
          <input type="date" value={to} min={from || undefined} onChange={(e) => setFilter({ to: e.target.value })} data-testid="search-to" />
        </label>
        {(chat || from || to) && (
          <button type="button" className="btn small ghost" onClick={() => setFilter({ chat: '', from: '', to: '' })} data-testid="search-clear-filters">
            {t('searchClearFilters')}
          </button>
        )}
      </div>
      {badRange && (
        <p className="error-inline" role="alert" data-testid="search-bad-range">
          {t('searchBadRange')}
        </p>
      )}
      {!query ? (
        <p className="muted hint">{t('searchHint')}</p>
      ) : (
        <div className="results" data-testid="search-results" aria-busy={busy}>
          {rows.length > 0 && <h2 className="results-title">{t('resultsFor', { q: query })}</h2>}
          <ul className="result-list">
            {rows.map((row) => {
              // Rows of a one-number search do not repeat their slot.
              const r = { ...row, slot: row.slot ?? Number(slot) };
              return (
              <li key={`${r.slot}:${r.id}`}>
                <a
                  className="result"
                  href={routeHash('chats', { slot: r.slot, chat: r.chatId, msg: r.id })}
                  data-testid="search-result"
                  data-message-id={r.id}
                >
                  <div className="result-head">
                    <span className="badge">{t('slotOption', { n: r.slot })}</span>
                    <span className="result-chat" dir="auto" data-testid="result-chat">
                      {chatName(chatsBySlot, r)}
                    </span>
                    <span className="result-who" dir="auto" data-testid="result-who">
                      {r.fromMe ? t('you') : r.senderName || formatPhone(phoneOfChat(r.chatId))}
                    </span>
                    <span className="fine">{formatDateTime(r.timestamp, lang)}</span>
                  </div>
                  {fileOf(r) && (
                    <p className="result-file" dir="auto" data-testid="result-file">
                      <Icon name="file" size={14} /> {fileOf(r)}
                    </p>
                  )}
                  <p className="result-body" dir="auto">
                    {highlight(r.body, query).map((seg, i) => (seg.match ? <mark key={i}>{seg.text}</mark> : <span key={i}>{seg.text}</span>))}
                  </p>
                </a>
              </li>
              );
            })}
          </ul>
          {error !== null && <ErrorBlock error={error} onRetry={() => void fetchPage(rows.length)} />}
          {!busy && !badRange && error === null && rows.length === 0 && <p className="empty-line" data-testid="no-results">{t('noResults', { q: query })}</p>}
          {busy && <p className="empty-line">{rows.length ? t('loadingMore') : t('loading')}</p>}
          {done && rows.length > 0 && <p className="empty-line fine">{t('endOfResults')}</p>}
          <div ref={sentinel} className="sentinel" aria-hidden="true" />
        </div>
      )}
    </section>
  );
}

/** The chat a hit belongs to, by its name in the inbox (its number when the chat is not listed). */
function chatName(chats: Record<number, { chatId: string; name: string }[]>, r: Row & { slot: number }): string {
  const known = chats[r.slot]?.find((c) => c.chatId === r.chatId)?.name;
  if (known) return known;
  // Outside the chat list: a person's chat is named after them in their own messages.
  if (!r.fromMe && r.senderName && !r.chatId.endsWith('@g.us')) return r.senderName;
  return formatPhone(phoneOfChat(r.chatId));
}

/** Unix seconds at the start and end of a local calendar day (`YYYY-MM-DD`). */
function dayStart(day: string): number {
  return Math.floor(new Date(`${day}T00:00:00`).getTime() / 1000);
}
function dayEnd(day: string): number {
  return Math.floor(new Date(`${day}T23:59:59`).getTime() / 1000);
}

/** A document hit's file name. */
function fileOf(r: Row): string | null {
  const m = r as Row & { filename?: string | null; media?: { filename?: string | null } | null };
  return m.media?.filename ?? m.filename ?? null;
}
