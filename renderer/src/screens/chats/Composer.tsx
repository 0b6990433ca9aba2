// Writing back: text (Enter sends, Shift+Enter breaks the line), a file (picked, dropped or
// pasted, previewed before sending) with the text as caption, or a poll. Each send shows at once
// with a clock, then ticks follow from the bridge. Files go up as multipart, not base64.
import { useEffect, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent } from 'react';
import { useApp } from '../../state/app.js';
import { Icon } from '../../components/Icon.js';
import { useReportError } from '../../components/Notices.js';
import { formatBytes } from '../../lib/format.js';
import { rememberMedia, rememberPoll } from '../../state/sent.js';
import type { Message } from '../../api/types.js';
import { PollDialog } from './PollDialog.js';

/** Sent as base64 JSON so a failed send can be retried or queued; 16 MiB fits the body limit. */
const MAX_FILE = 16 * 1024 * 1024;
type SendRoute = '/api/send' | '/api/send-media' | '/api/send-poll';
type AddLocal = (m: Omit<Message, 'id' | 'chatId' | 'fromMe' | 'timestamp' | 'ack' | 'senderName'>) => {
  localId: string;
  settle: (messageId: string) => void;
  /** The bridge did not take it: keep it with Retry / Queue (state/unsent.ts). */
  fail: (route: SendRoute, body: Record<string, unknown>, error: unknown) => void;
};

/** A file as base64 (without the data-URL prefix), for the JSON send body. */
function toBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error('could not read the file'));
    r.readAsDataURL(file);
  });
}

function typeOfMime(mime: string): string {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  return 'document';
}

/** What the attachment bar shows before sending: the picture, the clip or the sound itself. */
function Preview({ file }: { file: File }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  if (!url) return null;
  if (file.type.startsWith('image/')) return <img className="attach-preview" src={url} alt={file.name} data-testid="attach-preview" />;
  if (file.type.startsWith('video/')) return <video className="attach-preview" src={url} muted preload="metadata" data-testid="attach-preview" />;
  if (file.type.startsWith('audio/')) return <audio src={url} controls preload="metadata" data-testid="attach-preview" />;
  return <Icon name="file" size={18} />;
}

export function Composer({ slot, chatId, addLocal }: { slot: number; chatId: string; addLocal: AddLocal }) {
  const { api, t, notify } = useApp();
  const report = useReportError();
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [pollOpen, setPollOpen] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);

  /** One attempt; the local id doubles as the idempotency key, so a later Retry cannot send twice. */
  async function deliver(local: ReturnType<AddLocal>, route: SendRoute, body: Record<string, unknown>) {
    try {
      const r = await api.post<{ messageId: string }>(route, { ...body, idempotencyKey: local.localId });
      local.settle(r.messageId);
    } catch (err) {
      local.fail(route, body, err);
      report(err);
    }
  }

  async function sendText(body: string) {
    const local = addLocal({ body, type: 'chat', hasMedia: 0 });
    await deliver(local, '/api/send', { slot, chatId, message: body });
  }

  async function sendFile(f: File, caption: string) {
    const mimetype = f.type || 'application/octet-stream';
    const url = URL.createObjectURL(f);
    const local = addLocal({ body: caption, type: typeOfMime(mimetype), hasMedia: 1, caption, filename: f.name });
    rememberMedia(local.localId, { url, mimetype, filename: f.name });
    let base64: string;
    try {
      base64 = await toBase64(f);
    } catch (err) {
      report(err);
      return;
    }
    await deliver(local, '/api/send-media', { slot, chatId, base64, mimetype, filename: f.name, ...(caption ? { caption } : {}) });
  }

  /** Take a file from the picker, a drop or a paste: checked for size, then shown for review. */
  function choose(f: File | undefined | null) {
    if (!f) return;
    if (f.size > MAX_FILE) {
      notify({ kind: 'error', title: t('fileTooBig', { size: formatBytes(f.size) }), next: t('errPAYLOAD_TOO_LARGENext') });
      return;
    }
    setFile(f);
    box.current?.focus();
  }

  function onDrop(e: DragEvent<HTMLDivElement>) {
    const f = e.dataTransfer.files?.[0];
    if (!f) return;
    e.preventDefault();
    choose(f);
  }

  function onPaste(e: ClipboardEvent<HTMLTextAreaElement>) {
    const f = [...e.clipboardData.files][0];
    if (!f) return; // plain text pastes as text
    e.preventDefault();
    choose(f);
  }

  function submit() {
    const body = text.trim();
    if (file) {
      void sendFile(file, body);
      setFile(null);
    } else if (body) {
      void sendText(body);
    } else return;
    setText('');
    box.current?.focus();
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  async function sendPoll(question: string, options: string[], allowMultiple: boolean) {
    const local = addLocal({ body: question, type: 'poll', hasMedia: 0 });
    rememberPoll(local.localId, options);
    await deliver(local, '/api/send-poll', { slot, chatId, question, options, allowMultiple });
  }

  return (
    <div className="composer" onDragOver={(e) => e.dataTransfer.types.includes('Files') && e.preventDefault()} onDrop={onDrop} data-testid="composer">
      {file && (
        <div className="attachment" data-testid="attachment">
          <Preview file={file} />
          <span className="file-name" dir="auto">
            {file.name}
          </span>
          <span className="fine">{formatBytes(file.size)}</span>
          <span className="fine">· {t('captionHint')}</span>
          <button type="button" className="icon-btn" aria-label={t('cancel')} onClick={() => setFile(null)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      <div className="composer-row">
        <button type="button" className="icon-btn" aria-label={t('attach')} title={t('attach')} onClick={() => fileInput.current?.click()} data-testid="attach">
          <Icon name="attach" />
        </button>
        <input
          ref={fileInput}
          type="file"
          hidden
          data-testid="file-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            choose(f);
          }}
        />
        <button type="button" className="icon-btn" aria-label={t('createPoll')} title={t('createPoll')} onClick={() => setPollOpen(true)} data-testid="poll-open">
          <Icon name="poll" />
        </button>
        <textarea
          ref={box}
          className="compose-box"
          rows={1}
          dir="auto"
          value={text}
          maxLength={4096}
          placeholder={t('typeMessage')}
          aria-label={t('typeMessage')}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          onPaste={onPaste}
          data-testid="compose"
        />
        <button type="button" className="send-btn" aria-label={t('send')} title={t('send')} onClick={submit} disabled={!text.trim() && !file} data-testid="send">
          <Icon name="send" className="flip-rtl" />
        </button>
      </div>
      <PollDialog open={pollOpen} onClose={() => setPollOpen(false)} onSend={(q, o, multi) => void sendPoll(q, o, multi)} />
    </div>
  );
}
