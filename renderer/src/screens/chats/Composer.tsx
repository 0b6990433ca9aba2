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

/** The largest file WhatsApp takes (documents); the bridge checks each kind's own limit. */
const MAX_FILE = 100 * 1024 * 1024;
type AddLocal = (m: Omit<Message, 'id' | 'chatId' | 'fromMe' | 'timestamp' | 'ack' | 'senderName'>) => {
  localId: string;
  settle: (messageId: string | null) => void;
};

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

  async function sendText(body: string) {
    const local = addLocal({ body, type: 'chat', hasMedia: 0 });
    try {
      const r = await api.post<{ messageId: string }>('/api/send', { slot, chatId, message: body });
      local.settle(r.messageId);
    } catch (err) {
      local.settle(null);
      report(err);
    }
  }

  async function sendFile(f: File, caption: string) {
    const mimetype = f.type || 'application/octet-stream';
    const url = URL.createObjectURL(f);
    const local = addLocal({ body: caption, type: typeOfMime(mimetype), hasMedia: 1, caption, filename: f.name });
    rememberMedia(local.localId, { url, mimetype, filename: f.name });
    try {
      const form = new FormData();
      form.set('slot', String(slot));
      form.set('chatId', chatId);
      form.set('mimetype', mimetype);
      if (caption) form.set('caption', caption);
      form.set('file', f, f.name);
      const r = await api.postForm<{ messageId: string }>('/api/send-media', form);
      local.settle(r.messageId);
    } catch (err) {
      local.settle(null);
      report(err);
    }
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
    try {
      const r = await api.post<{ messageId: string }>('/api/send-poll', { slot, chatId, question, options, allowMultiple });
      local.settle(r.messageId);
    } catch (err) {
      local.settle(null);
      report(err);
    }
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
