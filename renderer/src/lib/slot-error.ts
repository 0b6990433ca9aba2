// A slot's last error in the owner's language. The bridge words its errors in English for logs
// and API clients; the app recognises the shapes it knows and keeps the original as a detail.
import type { MessageKey, Translate } from '../i18n/i18n.js';

export interface SlotErrorText {
  /** The sentence to show, translated. */
  text: string;
  /** The bridge's own words, when they add something (shown small, left to right). */
  detail: string | null;
}

/** WhatsApp's disconnect reasons the app can name (the rest are shown as they come). */
const REASONS: Record<string, MessageKey> = {
  LOGOUT: 'reasonLOGOUT',
  UNPAIRED: 'reasonUNPAIRED',
  UNPAIRED_IDLE: 'reasonUNPAIRED',
  CONFLICT: 'reasonCONFLICT',
  TOS_BLOCK: 'reasonTOS_BLOCK',
  SMB_TOS_BLOCK: 'reasonTOS_BLOCK',
  PROXYBLOCK: 'reasonPROXYBLOCK',
  DEPRECATED_VERSION: 'reasonDEPRECATED_VERSION',
  NAVIGATION: 'reasonNAVIGATION',
};

export function explainSlotError(raw: string, t: Translate): SlotErrorText {
  let m = /^QR not scanned after (\d+) codes/.exec(raw);
  if (m) return { text: t('slotErrQrNotScanned', { n: m[1]! }), detail: null };
  m = /^disconnected: (.+)$/.exec(raw);
  if (m) {
    const key = REASONS[m[1]!];
    return key ? { text: t('slotErrDisconnected', { reason: t(key) }), detail: null } : { text: t('slotErrDisconnected', { reason: m[1]! }), detail: null };
  }
  m = /^browser memory (\d+) MB over the (\d+) MB limit/.exec(raw);
  if (m) return { text: t('slotErrMemory', { used: m[1]!, limit: m[2]! }), detail: null };
  if (/\(hung page\)$/.test(raw)) return { text: t('slotErrHung'), detail: raw };
  m = /^restore failed: (.*)$/s.exec(raw);
  if (m) return { text: t('slotErrRestore'), detail: m[1]! };
  return { text: t('slotErrOther'), detail: raw };
}
