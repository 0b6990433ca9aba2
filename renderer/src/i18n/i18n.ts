// Language choice (header switch, default from the system) and string lookup with {placeholders}.
import { en, type Dict, type MessageKey } from './en.js';
import { ar } from './ar.js';

export type Lang = 'en' | 'ar';
export const DICTS: Record<Lang, Dict> = { en, ar };

export function detectLang(stored: string | null, systemLangs: readonly string[]): Lang {
  if (stored === 'en' || stored === 'ar') return stored;
  for (const l of systemLangs) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'ar') return 'ar';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

export function translator(lang: Lang): Translate {
  const dict = DICTS[lang];
  return (key, vars) => {
    const template = dict[key] ?? en[key] ?? key;
    if (!vars) return template;
    return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
  };
}

export function dirOf(lang: Lang): 'rtl' | 'ltr' {
  return lang === 'ar' ? 'rtl' : 'ltr';
}

export type { MessageKey };
