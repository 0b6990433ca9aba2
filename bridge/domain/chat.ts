// Pure helpers about chats, ids and acks shared by engines, slots and push.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { BridgeError } from './errors.js';
import type { Ack } from './types.js';

/** Muted now? WhatsApp's `muteExpiration`: -1 forever, 0 never, else Unix seconds. */
export function isMutedAt(muteExpiration: number, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  // The library reads any non-zero value as muted; an expired mute is not a mute.
  return muteExpiration === -1 || muteExpiration > nowSeconds;
}

/** Numbers already checked: a business sends to the same customers again and again. */
const validPhones = new Map<string, string>();
const PHONE_CACHE_SIZE = 10_000;

/**
 * Normalise a phone typed with `+`, spaces, dashes or brackets to its international digits.
 * Throws INVALID_NUMBER unless it is a plausible international number (country code, 7–15 digits).
 */
export function normalisePhone(input: string): string {
  const known = validPhones.get(input);
  if (known) return known;
  const digits = input.replace(/[\s\-().+]/g, '');
  if (!/^\d{7,15}$/.test(digits)) {
    throw new BridgeError('INVALID_NUMBER', `phone "${input}" is not an international number (country code and 7-15 digits)`);
  }
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (!parsed || !parsed.isPossible()) {
    throw new BridgeError('INVALID_NUMBER', `phone "${input}" is not a valid international number`);
  }
  if (validPhones.size >= PHONE_CACHE_SIZE) validPhones.clear();
  validPhones.set(input, digits);
  return digits;
}

const CHAT_ID = /^(\d{5,20}@c\.us|[\d-]{5,40}@g\.us)$/;

export function isChatId(value: string): boolean {
  return CHAT_ID.test(value);
}

/**
 * One key per person for the per-recipient limits: `phone` digits and their `<digits>@c.us`
 * chatId are the same recipient (they were counted apart, doubling the limit). Groups keep their id.
 */
export function recipientKey(target: string): string {
  const direct = /^(\d+)@c\.us$/.exec(target);
  return direct ? direct[1]! : target;
}

export function chatIdForPhone(digits: string): string {
  return `${digits}@c.us`;
}

export function isGroupChat(chatId: string): boolean {
  return chatId.endsWith('@g.us');
}

/** WhatsApp's ack (-1 error … 4 played) → API ack (0 failed … 5 played). */
export function ackFromWhatsApp(waAck: number): Ack {
  if (waAck < 0) return 0;
  return Math.min(5, waAck + 1) as Ack;
}
