// The scrolling thread: day separators, bubbles by type (text, media, poll) and ticks. Only the
// bubbles near the viewport are in the DOM (react-virtuoso), so a 600-message chat scrolls at
// frame rate; older pages are prepended with `firstItemIndex`, which keeps the view in place.
import { forwardRef, memo, useEffect, useMemo, useRef, useState, type HTMLAttributes } from 'react';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import type { Api } from '../../api/client.js';
import { formatDuration, useMediaUrl } from '../../lib/media-url.js';
import { useApp } from '../../state/app.js';
import type { Message } from '../../api/types.js';
import { Icon, type IconName } from '../../components/Icon.js';
import { Ticks } from '../../components/Ticks.js';
import { formatTime, locale } from '../../lib/format.js';
import { effectiveAck, inlineThumbnail, mediaKind, type MediaKind } from '../../lib/messages.js';
import { tally, type Vote } from '../../lib/polls.js';
import { knownPollOptions, localMedia } from '../../state/sent.js';
import type { Votes } from './Thread.js';
import type { MessageKey } from '../../i18n/i18n.js';
import type { Unsent } from '../../state/unsent.js';
import { UnsentActions } from './UnsentActions.js';
import { useFirstItemIndex } from '../../lib/first-item-index.js';
import { useKeepAnchor } from '../../lib/keep-anchor.js';
import { useKeepInView } from '../../lib/keep-in-view.js';

interface Props {
  messages: Message[];
  /** Messages the bridge did not take, shown with Retry / Queue. */
  unsent?: Unsent[];
  acks: Record<string, number>;
  votes: Votes;
  isGroup: boolean;
  flashId: string | null;
  canLoadOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  /** The message the "unread" divider goes before (set when the chat opened with unread ones). */
  dividerId?: string | null;
  dividerCount?: number;
  /** Opened to jump to a message that is not on screen yet (the thread is paging back to it). */
  jumping?: boolean;
}

/** What the list's header needs (a stable component reads it through Virtuoso's context). */
interface ListContext {
  canLoadOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  empty: boolean;
}

/** Within this many pixels of the end, the list counts as "at the newest message". */
const AT_BOTTOM_PX = 80;
/** Scrolled this close to the top, the next older page is fetched. */
const NEAR_TOP_PX = 300;

export function MessageList(p: Props) {
  const { t, lang } = useApp();
  const list = useRef<VirtuosoHandle>(null);
  const [away, setAway] = useState(false);
  const { firstItemIndex, prepended } = useFirstItemIndex(p.messages);

  // Day separators: a message starts a new day when its date differs from the one before it.
  const rows = useMemo(() => {
    const dayFmt = new Intl.DateTimeFormat(locale(lang), { dateStyle: 'full' });
    let lastDay = '';
    return p.messages.map((m) => {
      const day = dayFmt.format(m.timestamp * 1000);
      const sep = day !== lastDay ? day : null;
      lastDay = day;
      return { m, sep };
    });
  }, [p.messages, lang]);
  const unsentById = useMemo(() => new Map((p.unsent ?? []).map((u) => [u.row.id, u])), [p.unsent]);
  const dividerIndex = p.dividerId ? p.messages.findIndex((m) => m.id === p.dividerId) : -1;

  // Opened with unread messages: start at the divider, not below the last of them. A divider
  // known only later (the chat row arrived after the messages) is scrolled to once.
  const shownDivider = useRef<string | null>(dividerIndex >= 0 ? p.dividerId! : null);
  // Opened to jump to a message (from search): start at the oldest loaded one, where the older
  // pages arrive, rather than settle at the newest and be carried back up.
  const [initialAt] = useState(() =>
    p.jumping ? { index: 0, align: 'start' as const } : dividerIndex >= 0 && !p.flashId ? { index: dividerIndex, align: 'start' as const } : { index: 'LAST' as const, align: 'end' as const },
  );
  useEffect(() => {
    if (!p.dividerId || shownDivider.current === p.dividerId || p.flashId || dividerIndex < 0) return;
    shownDivider.current = p.dividerId;
    list.current?.scrollToIndex({ index: dividerIndex, align: 'start' });
  }, [p.dividerId, dividerIndex, p.flashId]);

  // A jump (from search) brings the hit to the middle and holds it there while the list settles:
  // Virtuoso's own start at the newest message and the prepended pages must not carry it away.
  const [scroller, setScroller] = useState<HTMLElement | null>(null);
  useKeepInView(scroller, p.flashId, () => {
    const at = p.messages.findIndex((m) => m.id === p.flashId);
    if (at >= 0) list.current?.scrollToIndex({ index: at, align: 'center' });
  });

  // New messages keep the view at the newest one if it was there; the owner's own new message
  // always brings it there (as in WhatsApp).
  const lastSeen = useRef(p.messages[p.messages.length - 1]?.id);
  const followOutput = (atBottom: boolean) => {
    const last = p.messages[p.messages.length - 1];
    const fresh = !!last && last.id !== lastSeen.current;
    lastSeen.current = last?.id;
    return atBottom || (fresh && last.fromMe === 1 && last.id.startsWith('local-')) ? ('auto' as const) : false;
  };
  const toBottom = () => {
    list.current?.scrollToIndex({ index: 'LAST', align: 'end' });
    setAway(false);
  };

  // Scrolling near the top loads the next older page (the header button does the same by hand).
  // A scroll event, not Virtuoso's startReached: that one also fires while the list mounts at
  // offset 0, before it moves to the newest message.
  useKeepAnchor(scroller, prepended);
  const older = useRef({ can: p.canLoadOlder, load: p.onLoadOlder });
  older.current = { can: p.canLoadOlder && !p.loadingOlder, load: p.onLoadOlder };
  useEffect(() => {
    if (!scroller) return;
    const onScroll = () => scroller.scrollTop < NEAR_TOP_PX && older.current.can && older.current.load();
    scroller.addEventListener('scroll', onScroll, { passive: true });
    return () => scroller.removeEventListener('scroll', onScroll);
  }, [scroller]);

  const context: ListContext = { canLoadOlder: p.canLoadOlder, loadingOlder: p.loadingOlder, onLoadOlder: p.onLoadOlder, empty: p.messages.length === 0 };

  return (
    <div className="message-list-wrap" data-count={p.messages.length}>
      <Virtuoso<(typeof rows)[number], ListContext>
        ref={list}
        className="message-list"
        data={rows}
        context={context}
        firstItemIndex={firstItemIndex}
        initialTopMostItemIndex={initialAt}
        computeItemKey={(_, r) => r.m.id}
        // Rendered ahead of the viewport, so a new bubble or a quick flick never shows a gap.
        increaseViewportBy={{ top: 800, bottom: 800 }}
        // About one text bubble: better than measuring the first row, which often has a day separator.
        defaultItemHeight={72}
        atBottomThreshold={AT_BOTTOM_PX}
        atBottomStateChange={(atBottom) => setAway(!atBottom)}
        followOutput={followOutput}
        scrollerRef={(el) => setScroller(el instanceof HTMLElement ? el : null)}
        components={{ Scroller, Header: OlderHeader }}
        itemContent={(_, { m, sep }) => (
          <Row
            m={m}
            sep={sep}
            ack={effectiveAck(m.ack, p.acks[m.id])}
            votes={p.votes[m.id]}
            showSender={p.isGroup && !m.fromMe}
            flash={p.flashId === m.id}
            divider={p.dividerId === m.id ? (p.dividerCount ?? 0) : null}
            unsent={unsentById.get(m.id)}
          />
        )}
      />
      {away && (
        <button type="button" className="jump-bottom" onClick={toBottom} aria-label={t('jumpToBottom')} title={t('jumpToBottom')} data-testid="jump-bottom">
          <Icon name="back" size={20} />
        </button>
      )}
    </div>
  );
}

interface RowProps {
  m: Message;
  /** The day's name when this message starts a new day. */
  sep: string | null;
  ack: number;
  votes?: Record<string, Vote>;
  showSender: boolean;
  flash: boolean;
  /** The unread count when the divider goes before this message. */
  divider: number | null;
  unsent?: Unsent;
}

/** One list row; memoised, so scrolling renders only the rows that come into range. */
const Row = memo(function Row({ m, sep, ack, votes, showSender, flash, divider, unsent }: RowProps) {
  const { t } = useApp();
  return (
    <div className="message-item">
      {divider !== null && (
        <div className="unread-divider" data-testid="unread-divider">
          <span>{t('unreadDivider', { n: divider })}</span>
        </div>
      )}
      {sep && (
        <div className="day-sep">
          <span>{sep}</span>
        </div>
      )}
      <Bubble m={m} ack={ack} votes={votes} showSender={showSender} flash={flash} />
      {unsent && <UnsentActions item={unsent} />}
    </div>
  );
});

/** The scrolling element: a focusable log (keyboard users scroll it with the arrow keys). */
const Scroller = forwardRef<HTMLDivElement, HTMLAttributes<HTMLDivElement>>(function Scroller(props, ref) {
  return <div {...props} ref={ref} tabIndex={0} role="log" aria-live="polite" data-testid="message-list" />;
});

function OlderHeader({ context }: { context?: ListContext }) {
  const { t } = useApp();
  if (!context) return null;
  if (context.empty) return <p className="empty-line">{t('noMessages')}</p>;
  if (!context.canLoadOlder) return <div className="older-spacer" />;
  return (
    <div className="older">
      <button type="button" className="btn small" onClick={context.onLoadOlder} disabled={context.loadingOlder}>
        {context.loadingOlder ? t('loading') : t('loadOlder')}
      </button>
    </div>
  );
}

const KIND_LABEL: Partial<Record<MediaKind, MessageKey>> = {
  image: 'photo',
  video: 'video',
  audio: 'audio',
  voice: 'voice',
  document: 'document',
  sticker: 'sticker',
};

const KIND_ICON: Partial<Record<MediaKind, IconName>> = {
  image: 'image',
  video: 'video',
  audio: 'mic',
  voice: 'mic',
  document: 'file',
  sticker: 'image',
};

function Bubble({ m, ack, votes, showSender, flash }: { m: Message; ack: number; votes?: Record<string, Vote>; showSender: boolean; flash: boolean }) {
  const { t, lang } = useApp();
  const kind = mediaKind(m);
  return (
    <div
      className={`bubble-row ${m.fromMe ? 'out' : 'in'}${flash ? ' flash' : ''}`}
      data-testid="message"
      data-message-id={m.id}
      data-from-me={m.fromMe}
      data-type={m.type}
    >
      <div className={`bubble kind-${kind}`}>
        {showSender && m.senderName && <div className="sender" dir="auto">{m.senderName}</div>}
        {kind === 'poll' ? (
          <PollCard m={m} votes={votes ?? {}} />
        ) : kind === 'text' || kind === 'other' ? (
          <div className="text" dir="auto">
            {m.body || (kind === 'other' ? m.type : '')}
          </div>
        ) : (
          <MediaBody m={m} kind={kind} />
        )}
        <div className="meta">
          <time dateTime={new Date(m.timestamp * 1000).toISOString()}>{formatTime(m.timestamp, lang)}</time>
          {m.fromMe === 1 && <Ticks ack={ack} />}
        </div>
      </div>
      <span className="sr-only">{m.fromMe ? t('you') : m.senderName}</span>
    </div>
  );
}

function MediaBody({ m, kind }: { m: Message; kind: MediaKind }) {
  const { t, api } = useApp();
  const local = localMedia(m.id);
  const remote = !local && m.media && m.media.status !== 'expired' ? m.media : null;
  const expired = !local && m.media?.status === 'expired';
  const visual = kind === 'image' || kind === 'sticker';
  // Images load their small thumbnail inline; audio and video their file (players need it to seek).
  const wantedPath = remote ? (visual ? (remote.thumbUrl ?? remote.url) : kind === 'audio' || kind === 'voice' || kind === 'video' ? remote.url : null) : null;
  const loaded = useMediaUrl(api, wantedPath);
  const [viewing, setViewing] = useState(false);
  const inline = inlineThumbnail(m.body);
  const thumb = local?.mimetype.startsWith('image/') ? local.url : (loaded.url ?? inline);
  const caption = m.caption ?? (inline && !local ? '' : m.body);
  const label = t(KIND_LABEL[kind] ?? 'media');
  const filename = local?.filename ?? m.media?.filename ?? m.filename ?? null;
  const playable = local?.url ?? (remote && loaded.url ? loaded.url : null);
  const duration = m.media?.durationMs ? formatDuration(m.media.durationMs) : null;
  const tile = (note: string) => (
    <div className="media-tile" data-testid="media-tile">
      <Icon name={KIND_ICON[kind] ?? 'file'} size={34} />
      <span>{label}</span>
      <small>{note}</small>
    </div>
  );
  const status = expired ? t('mediaExpired') : remote ? t('mediaLoading') : t('mediaNotLoaded');
  return (
    <>
      {visual &&
        (thumb ? (
          <button type="button" className="thumb-button" onClick={() => remote && setViewing(true)} aria-label={t('mediaOpen')}>
            <img className={kind === 'sticker' ? 'thumb sticker' : 'thumb'} src={thumb} alt={caption || label} loading="lazy" data-testid="media-thumb" />
          </button>
        ) : (
          tile(status)
        ))}
      {kind === 'video' &&
        (playable ? (
          <video className="thumb" src={playable} controls preload="metadata" data-testid="media-video" />
        ) : inline ? (
          <img className="thumb" src={inline} alt={caption || label} data-testid="media-thumb" />
        ) : (
          tile(status)
        ))}
      {(kind === 'audio' || kind === 'voice') &&
        (playable ? (
          <div className="audio-row">
            <audio className="audio" src={playable} controls preload="metadata" data-testid="media-audio" />
            {duration && <span className="duration" data-testid="media-duration">{duration}</span>}
          </div>
        ) : (
          <div className="file-chip" data-testid="media-chip">
            <Icon name="mic" />
            <span>{label}</span>
            {duration && <span className="duration">{duration}</span>}
            <small>{status}</small>
          </div>
        ))}
      {kind === 'document' && (
        <a
          className="file-chip"
          data-testid="media-chip"
          href={local?.url ?? (remote ? remote.url : undefined)}
          download={filename ?? undefined}
          onClick={(e) => {
            if (local) return;
            e.preventDefault();
            if (remote) void downloadFile(api, remote.url, filename ?? label);
          }}
        >
          <Icon name="file" />
          <span className="file-name" dir="auto">
            {filename || caption || label}
          </span>
          {expired && <small>{t('mediaExpired')}</small>}
        </a>
      )}
      {caption && kind !== 'document' && (
        <div className="text" dir="auto">
          {caption}
        </div>
      )}
      {viewing && remote && <Viewer api={api} url={remote.url} alt={caption || label} onClose={() => setViewing(false)} />}
    </>
  );
}

/** The full image over the page; Escape or a click closes it. */
function Viewer({ api, url, alt, onClose }: { api: Api; url: string; alt: string; onClose: () => void }) {
  const { t } = useApp();
  const full = useMediaUrl(api, url);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="viewer" role="dialog" aria-label={alt} onClick={onClose} data-testid="media-viewer">
      {full.url ? <img src={full.url} alt={alt} /> : <span>{t('mediaLoading')}</span>}
    </div>
  );
}

/** Fetch with the token, then save under the original name. */
async function downloadFile(api: Api, url: string, filename: string): Promise<void> {
  const got = await api.blob(url).catch(() => null);
  if (!got || got === 'pending') return;
  const href = URL.createObjectURL(got);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

function PollCard({ m, votes }: { m: Message; votes: Record<string, Vote> }) {
  const { t } = useApp();
  const options = m.pollOptions ?? knownPollOptions(m.id) ?? [];
  const result = tally(options, votes);
  const max = Math.max(1, ...result.options.map((o) => o.count));
  return (
    <div className="poll" data-testid="poll">
      <div className="poll-q" dir="auto">
        <Icon name="poll" size={18} />
        <strong>{m.body}</strong>
      </div>
      <ul className="poll-options">
        {result.options.map((o) => (
          <li key={o.name} data-testid="poll-option" data-option={o.name} data-count={o.count}>
            <div className="poll-line">
              <span dir="auto">{o.name}</span>
              <span className="poll-count">{o.count}</span>
            </div>
            <div className="poll-bar" aria-hidden="true">
              <span style={{ width: `${(o.count / max) * 100}%` }} />
            </div>
          </li>
        ))}
      </ul>
      <div className="fine" data-testid="poll-voters">
        {result.voters === 1 ? t('vote1') : t('votes', { n: result.voters })}
      </div>
    </div>
  );
}
