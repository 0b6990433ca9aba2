// The "New chat" dialog (loaded on first use: the phone-number rules are sizeable): pick the number to send from, type a phone number (checked with libphonenumber-js,
// the same rule the bridge applies), write the first message; the chat opens once it is sent.
// A number that is not on WhatsApp is named as such (the bridge asks WhatsApp before sending).
import { useState, type FormEvent } from 'react';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { useApp } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import { navigate } from '../../state/route.js';
import { ApiError } from '../../api/client.js';
import { Dialog } from '../../components/Dialog.js';
import { explainError } from '../../lib/errors.js';
import { formatPhone } from '../../lib/format.js';

/** International digits of a typed number, or null when it cannot be a phone number. */
export function phoneDigits(input: string): string | null {
  const digits = input.replace(/[\s\-().+]/g, '');
  if (!/^\d{7,15}$/.test(digits)) return null;
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  return parsed && parsed.isPossible() ? digits : null;
}

/** The chat a sent message landed in: its id is `true_<chatId>_<key>`. */
function chatOfMessage(messageId: string, fallback: string): string {
  const m = /^(?:true|false)_(.+@(?:c\.us|g\.us|lid))_/.exec(messageId);
  return m ? m[1]! : fallback;
}

export default function NewChatDialog({ defaultSlot, onClose }: { defaultSlot: number | undefined; onClose: () => void }) {
  const { api, slots, t } = useApp();
  const ready = useStore(slots.slots).filter((s) => s.ready);
  const [slot, setSlot] = useState(String(ready.some((s) => s.slot === defaultSlot) ? defaultSlot : (ready[0]?.slot ?? '')));
  const [phone, setPhone] = useState('');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const digits = phoneDigits(phone);
    if (!digits) return setProblem(t('newChatInvalid'));
    if (!text.trim()) return setProblem(t('newChatEmpty'));
    setProblem(null);
    setBusy(true);
    try {
      const r = await api.post<{ messageId?: string }>('/api/send', { slot: Number(slot), phone: digits, message: text });
      onClose();
      navigate('chats', { slot, chat: chatOfMessage(r.messageId ?? '', `${digits}@c.us`) });
    } catch (err) {
      // The number passed the same check here, so the bridge's INVALID_NUMBER means WhatsApp said no.
      setProblem(err instanceof ApiError && err.code === 'INVALID_NUMBER' ? t('newChatNotOnWhatsApp', { phone: formatPhone(digits) }) : explainError(err, t).title);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open onClose={onClose} title={t('newChatTitle')} testId="new-chat-dialog">
      {ready.length === 0 ? (
        <>
          <p>{t('newChatNoSlot')}</p>
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={onClose}>
              {t('close')}
            </button>
          </div>
        </>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <label className="field">
            <span>{t('newChatFrom')}</span>
            <select value={slot} onChange={(e) => setSlot(e.target.value)} data-testid="new-chat-slot">
              {ready.map((s) => (
                <option key={s.slot} value={s.slot}>
                  {s.name || s.phone ? t('slotOptionNamed', { n: s.slot, name: s.name || formatPhone(s.phone) }) : t('slotOption', { n: s.slot })}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('newChatPhone')}</span>
            <input
              type="tel"
              dir="ltr"
              inputMode="tel"
              autoComplete="off"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              placeholder="+962 7 9123 4567"
              aria-invalid={problem === t('newChatInvalid') ? true : undefined}
              data-testid="new-chat-phone"
              autoFocus
            />
          </label>
          <label className="field">
            <span>{t('newChatMessage')}</span>
            <textarea rows={3} dir="auto" maxLength={4096} value={text} onChange={(e) => setText(e.target.value)} data-testid="new-chat-message" />
          </label>
          {problem && (
            <p className="error-inline" role="alert" data-testid="new-chat-error">
              {problem}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={onClose}>
              {t('cancel')}
            </button>
            <button type="submit" className="btn primary" disabled={busy} data-testid="new-chat-send">
              {t('newChatSend')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
