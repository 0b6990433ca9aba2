// The scrolling thread: day separators, bubbles by type (text, media, poll) and ticks.
import { Fragment, useEffect, useLayoutEffect, useRef, useState } from 'react';
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
}

export function MessageList(p: Props) {
  const { t, lang } = useApp();
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [away, setAway] = useState(false);
  const lastId = p.messages[p.messages.length - 1]?.id;
  const toBottom = () => {
    const el = ref.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setAway(false);
  };

  // Opened with unread messages: start at the divider, not below the last of them.
  const shownDivider = useRef<string | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !p.dividerId || shownDivider.current === p.dividerId || p.flashId) return;
    const at = el.querySelector('[data-testid=unread-divider]');
    if (!at) return;
    shownDivider.current = p.dividerId;
    (at as HTMLElement).scrollIntoView({ block: 'start' });
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    setAway(!atBottom.current);
  }, [p.dividerId, p.messages.length, p.flashId]);

  // Stay pinned to the newest message unless the owner scrolled up to read.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && atBottom.current && !p.flashId && shownDivider.current === (p.dividerId ?? null)) el.scrollTop = el.scrollHeight;
  }, [lastId, p.messages.length, p.flashId, p.dividerId]);

  useEffect(() => {
    if (!p.flashId) return;
    ref.current?.querySelector(`[data-message-id="${CSS.escape(p.flashId)}"]`)?.scrollIntoView({ block: 'center' });
  }, [p.flashId]);

  const unsentById = new Map((p.unsent ?? []).map((u) => [u.row.id, u]));
  const dayFmt = new Intl.DateTimeFormat(locale(lang), { dateStyle: 'full' });
  let lastDay = '';

  return (
    <div className="message-list-wrap">
    <div
      className="message-list"
      ref={ref}
      tabIndex={0}
      role="log"
      aria-live="polite"
      data-testid="message-list"
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        if (away === atBottom.current) setAway(!atBottom.current);
      }}
    >
      {p.canLoadOlder && (
        <div className="older">
          <button type="button" className="btn small" onClick={p.onLoadOlder} disabled={p.loadingOlder}>
            {p.loadingOlder ? t('loading') : t('loadOlder')}
          </button>
        </div>
      )}
      {p.messages.length === 0 && <p className="empty-line">{t('noMessages')}</p>}
      {p.messages.map((m) => {
        const day = dayFmt.format(m.timestamp * 1000);
        const sep = day !== lastDay;
        lastDay = day;
        return (
          <Fragment key={m.id}>
            {p.dividerId === m.id && (
              <div className="unread-divider" data-testid="unread-divider">
                <span>{t('unreadDivider', { n: p.dividerCount ?? 0 })}</span>
              </div>
            )}
            {sep && (
              <div className="day-sep">
                <span>{day}</span>
              </div>
            )}
            <Bubble m={m} ack={effectiveAck(m.ack, p.acks[m.id])} votes={p.votes[m.id]} showSender={p.isGroup && !m.fromMe} flash={p.flashId === m.id} />
            {unsentById.get(m.id) && <UnsentActions item={unsentById.get(m.id)!} />}
          </Fragment>
        );
      })}
    </div>
    {away && (
      <button type="button" className="jump-bottom" onClick={toBottom} aria-label={t('jumpToBottom')} title={t('jumpToBottom')} data-testid="jump-bottom">
        <Icon name="back" size={20} />
      </button>
    )}
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
