// The language choice as this browser remembers it (localStorage), else the system's.
import { detectLang, type Lang } from './i18n.js';

const STORE_KEY = 'waBridge.lang';

export function initialLang(): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORE_KEY);
  } catch {
    /* storage may be blocked; fall back to the system language */
  }
  return detectLang(stored, navigator.languages ?? [navigator.language]);
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(STORE_KEY, lang);
  } catch {
    /* not fatal */
  }
}
