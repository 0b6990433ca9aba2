// Dates, durations and phone numbers in the owner's language.
import { toMs } from '../api/types.js';

export function locale(lang: string): string {
  // Arabic with Latin digits keeps phone numbers and counts readable next to WhatsApp's own display.
  return lang === 'ar' ? 'ar-u-nu-latn' : 'en';
}

// One formatter per language: building an Intl.DateTimeFormat costs far more than using one, and
// every message bubble shows a time (a scrolled, virtualised list mounts bubbles each frame).
const timeFormats = new Map<string, Intl.DateTimeFormat>();
export function formatTime(t: number, lang: string): string {
  let fmt = timeFormats.get(lang);
  if (!fmt) timeFormats.set(lang, (fmt = new Intl.DateTimeFormat(locale(lang), { hour: 'numeric', minute: '2-digit' })));
  return fmt.format(toMs(t));
}

export function formatDay(t: number, lang: string, now = Date.now()): string {
  const d = new Date(toMs(t));
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return formatTime(t, lang);
  const sameYear = d.getFullYear() === today.getFullYear();
  return new Intl.DateTimeFormat(locale(lang), sameYear ? { day: 'numeric', month: 'short' } : { dateStyle: 'medium' }).format(d);
}

export function formatDateTime(t: number, lang: string): string {
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(toMs(t));
}

/** "3 minutes ago" from a timestamp in ms or seconds. */
export function formatAgo(t: number, lang: string, now = Date.now()): string {
  const secs = Math.round((toMs(t) - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale(lang), { numeric: 'auto' });
  const abs = Math.abs(secs);
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 3600) return rtf.format(Math.round(secs / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(secs / 3600), 'hour');
  return rtf.format(Math.round(secs / 86400), 'day');
}

/** "+962781523783": the international number as WhatsApp shows it (digits only, no guessing at groups). */
export function formatPhone(raw: string | null | undefined): string {
  if (!raw) return '';
  const digits = raw.replace(/@.*$/, '').replace(/\D/g, '');
  return digits ? `+${digits}` : raw;
}

/** The number behind a chat id, for individual chats. */
export function phoneOfChat(chatId: string): string | null {
  const m = /^(\d+)@c\.us$/.exec(chatId);
  return m ? m[1]! : null;
}

export function initials(name: string): string {
  const words = name.replace(/[+\d\s]+/g, ' ').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '#';
  return words.slice(0, 2).map((w) => Array.from(w)[0]!.toUpperCase()).join('');
}

/** A stable hue per chat, so avatars are told apart at a glance. */
export function hueOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) % 360;
  return h;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function isMutedNow(muteExpiration: number, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  return muteExpiration === -1 || muteExpiration > nowSeconds;
}
