// Find where a search query matches a message body, the way the archive matches it: the
// bridge's own folding rules (bridge/archive/normalise.ts: case, accents, harakat, tatweel,
// alef/hamza forms, taa marbuta, yaa, Arabic-Indic digits, the article ال). Offsets map back to
// the original text, so the owner sees the message exactly as written with the match marked.
import { articleLength, fold, searchTokens } from '../../../bridge/archive/normalise.js';

export { fold };

/** The folded text plus, for each folded code unit, the index of the original character. */
export function foldWithMap(text: string): { folded: string; map: number[] } {
  let folded = '';
  const map: number[] = [];
  let i = 0;
  for (const ch of text) {
    const f = fold(ch);
    for (let k = 0; k < f.length; k++) map.push(i);
    folded += f;
    i += ch.length;
  }
  return { folded, map };
}

/** The words of a query as the archive sees them: search operators are plain punctuation. */
export function queryTerms(query: string): string[] {
  return searchTokens(query).filter((t) => t.length > 0);
}

export interface Segment {
  text: string;
  match: boolean;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** The folded word around position `at`: [start, end). */
function wordAround(folded: string, at: number): [number, number] {
  let s = at;
  while (s > 0 && WORD_CHAR.test(folded[s - 1]!)) s--;
  let e = at;
  while (e < folded.length && WORD_CHAR.test(folded[e]!)) e++;
  return [s, e];
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
      let at = folded.indexOf(term, from);
      if (at < 0) break;
      const next = at + term.length;
      // The archive matched the word without its article: mark the article with it.
      const [ws, we] = wordAround(folded, at);
      if (ws < at && articleLength(folded.slice(ws, we)) === at - ws) at = ws;
      const start = map[at]!;
      // Up to the next kept character, so marks dropped by folding (harakat) stay with their letter.
      const end = next < map.length ? map[next]! : text.length;
      for (let k = start; k < end; k++) marks[k] = true;
      from = next;
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
