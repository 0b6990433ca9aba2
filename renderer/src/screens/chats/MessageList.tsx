// The scrolling thread: day separators, bubbles by type (text, media, poll) and ticks.
import { Fragment, useEffect, useLayoutEffect, useRef } from 'react';
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
}

export function MessageList(p: Props) {
  const { t, lang } = useApp();
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const lastId = p.messages[p.messages.length - 1]?.id;

  // Stay pinned to the newest message unless the owner scrolled up to read.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && atBottom.current && !p.flashId) el.scrollTop = el.scrollHeight;
  }, [lastId, p.messages.length, p.flashId]);

  useEffect(() => {
    if (!p.flashId) return;
    ref.current?.querySelector(`[data-message-id="${CSS.escape(p.flashId)}"]`)?.scrollIntoView({ block: 'center' });
  }, [p.flashId]);

  const unsentById = new Map((p.unsent ?? []).map((u) => [u.row.id, u]));
  const dayFmt = new Intl.DateTimeFormat(locale(lang), { dateStyle: 'full' });
  let lastDay = '';

  return (
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
  const { t } = useApp();
  const local = localMedia(m.id);
  const thumb = local?.mimetype.startsWith('image/') ? local.url : inlineThumbnail(m.body);
  const caption = m.caption ?? (thumb && !local ? '' : m.body);
  const label = t(KIND_LABEL[kind] ?? 'media');
  const filename = local?.filename ?? m.filename ?? null;
  return (
    <>
      {(kind === 'image' || kind === 'sticker' || kind === 'video') &&
        (thumb ? (
          <img className={kind === 'sticker' ? 'thumb sticker' : 'thumb'} src={thumb} alt={caption || label} data-testid="media-thumb" />
        ) : local && kind === 'video' ? (
          <video className="thumb" src={local.url} controls preload="metadata" data-testid="media-thumb" />
        ) : (
          <div className="media-tile" data-testid="media-tile">
            <Icon name={KIND_ICON[kind] ?? 'file'} size={34} />
            <span>{label}</span>
            <small>{t('mediaNotLoaded')}</small>
          </div>
        ))}
      {(kind === 'audio' || kind === 'voice') &&
        (local ? (
          <audio className="audio" src={local.url} controls preload="metadata" data-testid="media-audio" />
        ) : (
          <div className="file-chip" data-testid="media-chip">
            <Icon name="mic" />
            <span>{label}</span>
          </div>
        ))}
      {kind === 'document' && (
        <a
          className="file-chip"
          data-testid="media-chip"
          href={local?.url}
          download={local ? filename ?? undefined : undefined}
          onClick={(e) => !local && e.preventDefault()}
        >
          <Icon name="file" />
          <span className="file-name" dir="auto">
            {filename || caption || label}
          </span>
        </a>
      )}
      {caption && kind !== 'document' && (
        <div className="text" dir="auto">
          {caption}
        </div>
      )}
    </>
  );
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
