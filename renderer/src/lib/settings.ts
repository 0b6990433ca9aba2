// The settings form: validate what the owner typed and send only what changed.
import type { Settings, SettingsUpdate } from '../api/types.js';

const NUMBERS = [
  { key: 'port', min: 1, max: 65535 },
  { key: 'slots', min: 1, max: 6 },
  { key: 'ratePerMinute', min: 1, max: 100000 },
  { key: 'ratePerHour', min: 1, max: 1000000 },
  { key: 'ratePerDay', min: 1, max: 10000000 },
] as const;
export type NumKey = (typeof NUMBERS)[number]['key'];
export type SettingsForm = Record<NumKey, string> & { db: 'sqlite' | 'mysql'; dbUrl: string };

/** Check the form and return only what changed; a string is the error to show. */
export function settingsChanges(
  saved: Settings,
  form: SettingsForm,
  label: (key: string) => string,
  messages: { number: (field: string, min: number, max: number) => string; dbUrl: string },
): SettingsUpdate | string {
  const out: SettingsUpdate = {};
  for (const { key, min, max } of NUMBERS) {
    // Unchanged values are not checked: they are what the bridge runs with (port 0 = any free port).
    if (form[key].trim() === String(saved[key])) continue;
    const n = Number(form[key]);
    if (!/^\d+$/.test(form[key].trim()) || n < min || n > max) return messages.number(label(key), min, max);
    if (n !== saved[key]) out[key] = n;
  }
  if (form.db === 'sqlite') {
    if (saved.dbUrl !== null) out.dbUrl = null;
  } else {
    const url = form.dbUrl.trim();
    if (!/^mysql:\/\/.+/.test(url)) return messages.dbUrl;
    if (url !== saved.dbUrl) out.dbUrl = url;
  }
  return out;
}
