// Find where a search query matches a message body, the way the archive matches it: case- and
// accent-insensitive for Latin; for Arabic regardless of harakat, tatweel, alef/hamza forms,
// taa marbuta/haa and alef maqsura/yaa. Offsets map back to the original text, so the owner
// sees the message exactly as written with the match marked.

const ARABIC_FOLD: Record<string, string> = {
  'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ٲ': 'ا', 'ٳ': 'ا',
  'ة': 'ه', 'ى': 'ي', 'ی': 'ي', 'ؤ': 'و', 'ئ': 'ي', 'ک': 'ك',
};
// Harakat, Quranic marks, superscript alef, and tatweel: dropped entirely.
const DROPPED = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/;

/** Fold one character; '' means "ignore this character". */
export function foldChar(ch: string): string {
  if (DROPPED.test(ch)) return '';
  const ar = ARABIC_FOLD[ch];
  if (ar) return ar;
  return ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** The folded text plus, for each folded code unit, the index of the original character. */
export function foldWithMap(text: string): { folded: string; map: number[] } {
  let folded = '';
  const map: number[] = [];
  let i = 0;
  for (const ch of text) {
    const f = foldChar(ch);
    for (let k = 0; k < f.length; k++) map.push(i);
    folded += f;
    i += ch.length;
  }
  return { folded, map };
}

export function fold(text: string): string {
  return foldWithMap(text).folded;
}

/** The words of a query as the archive sees them: search operators are plain punctuation. */
export function queryTerms(query: string): string[] {
  return fold(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

export interface Segment {
  text: string;
  match: boolean;
}

/** Split `text` into plain and matching segments for every query term (prefix matches count). */
export function highlight(text: string, query: string): Segment[] {
  const terms = queryTerms(query);
  if (!text) return [];
  if (terms.length === 0) return [{ text, match: false }];
  const { folded, map } = foldWithMap(text);
  const marks = new Array<boolean>(text.length).fill(false);
  for (const term of terms) {
    let from = 0;
    for (;;) {
      const at = folded.indexOf(term, from);
      if (at < 0) break;
      const start = map[at]!;
      const after = at + term.length;
      // Up to the next kept character, so marks dropped by folding (harakat) stay with their letter.
      const end = after < map.length ? map[after]! : text.length;
      for (let k = start; k < end; k++) marks[k] = true;
      from = at + term.length;
    }
  }
  const out: Segment[] = [];
  for (let k = 0; k < text.length; k++) {
    const last = out[out.length - 1];
    if (last && last.match === marks[k]) last.text += text[k];
    else out.push({ text: text[k]!, match: marks[k]! });
  }
  return out;
}
