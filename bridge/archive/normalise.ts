// Arabic- and Latin-aware text folding for search. The same function runs at index time and at
// query time in both backends, so a word matches whatever harakat, hamza form, case or accent
// it was written with. Pure: no Node imports (the renderer may reuse the rules for highlighting).

/** Longest token kept: MariaDB ignores words over 84 characters, and nobody types more. */
export const MAX_TOKEN_LENGTH = 60;
/** Most tokens a query may carry; the rest are ignored. */
export const MAX_QUERY_TOKENS = 16;
/** A prefix search needs at least this many characters (one letter would match half the index). */
export const MIN_PREFIX_LENGTH = 2;

const LETTER_MAP: Record<string, string> = {
  '\u0671': '\u0627', // ٱ alef wasla → ا (أ إ آ decompose to ا + a mark under NFKD)
  '\u0649': '\u064A', // ى alef maqsura → ي
  '\u06CC': '\u064A', // ی Farsi yeh → ي
  '\u0629': '\u0647', // ة taa marbuta → ه
  '\u06A9': '\u0643', // ک keheh → ك
};

/** Arabic proclitics carrying the article: و+ال, ب+ال, ف+ال, ك+ال, and ل+ال written لل. */
const ARTICLE_WITH_PROCLITIC = ['\u0648\u0627\u0644', '\u0628\u0627\u0644', '\u0641\u0627\u0644', '\u0643\u0627\u0644'];
const ARTICLE = '\u0627\u0644'; // ال
const LAM_LAM = '\u0644\u0644'; // لل

/** Fold one run of text: marks gone, letter variants unified, digits ASCII, lower case. */
export function fold(text: string): string {
  return (
    text
      .toLowerCase()
      // NFKD splits أ إ آ ؤ ئ into base letter + hamza/madda mark, é into e + accent, ligatures into letters.
      .normalize('NFKD')
      // Harakat, tanween, shadda, sukun, superscript alef, Quranic marks, Latin accents.
      .replace(/\p{M}+/gu, '')
      // Tatweel and invisible format characters (ZWNJ, RLM, …) vanish without splitting a word.
      .replace(/[\u0640\p{Cf}]/gu, '')
      .replace(/[\u0671\u0649\u06CC\u0629\u06A9]/g, (c) => LETTER_MAP[c]!)
      .replace(/[\u0660-\u0669]/g, (c) => String(c.charCodeAt(0) - 0x0660))
      .replace(/[\u06F0-\u06F9]/g, (c) => String(c.charCodeAt(0) - 0x06f0))
  );
}

/** How many leading characters of a folded token are the article (with its proclitic), else 0. */
export function articleLength(token: string): number {
  for (const prefix of ARTICLE_WITH_PROCLITIC) {
    if (token.startsWith(prefix) && token.length - prefix.length >= 3) return prefix.length;
  }
  if (token.startsWith(ARTICLE) && token.length - ARTICLE.length >= 2) return ARTICLE.length;
  if (token.startsWith(LAM_LAM) && token.length - LAM_LAM.length >= 3) return LAM_LAM.length;
  return 0;
}

/** Drop the article so a word is found with or without ال (only when a real stem remains). */
function stripArticle(token: string): string {
  return token.slice(articleLength(token));
}

/** The search tokens of a text, in order (duplicates kept: they weigh in ranking). */
export function searchTokens(text: string | null | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const raw of fold(text).split(/[^\p{L}\p{N}]+/u)) {
    if (!raw) continue;
    out.push(stripArticle(raw).slice(0, MAX_TOKEN_LENGTH));
  }
  return out;
}

/** The normalised, space-separated form of a text: what the SQLite index stores. */
export function normaliseForSearch(text: string | null | undefined): string {
  return searchTokens(text).join(' ');
}

export interface ParsedQuery {
  /** Whole words that must all appear. */
  words: string[];
  /** The last word typed, matched as a prefix (search-as-you-type); null if the user ended with a space. */
  prefix: string | null;
}

/**
 * Split what the user typed into normalised words. Every operator character (quotes, `*`, `-`,
 * `+`, brackets, `%`, `_`, SQL punctuation) is a separator here, so it never reaches query syntax.
 * Returns null when nothing searchable is left.
 */
export function parseSearchQuery(input: string): ParsedQuery | null {
  const tokens = searchTokens(input).slice(0, MAX_QUERY_TOKENS);
  if (tokens.length === 0) return null;
  const endsMidWord = /[\p{L}\p{N}\p{M}\u0640]$/u.test(input);
  const last = tokens[tokens.length - 1]!;
  if (endsMidWord && last.length >= MIN_PREFIX_LENGTH) {
    return { words: tokens.slice(0, -1), prefix: last };
  }
  return { words: tokens, prefix: null };
}

/** The text indexed for a message: body (or poll question), caption, file name and poll options. */
export function searchableText(parts: {
  body?: string | null;
  caption?: string | null;
  filename?: string | null;
  pollOptions?: readonly string[] | null;
}): string {
  const pieces = [parts.body, parts.caption, parts.filename, ...(parts.pollOptions ?? [])];
  return normaliseForSearch(pieces.filter((p): p is string => typeof p === 'string' && p.length > 0).join('\n'));
}

/** FTS5 MATCH expression: every token quoted, the last one as a prefix. */
export function buildFtsQuery(input: string): string | null {
  const parsed = parseSearchQuery(input);
  if (!parsed) return null;
  // Tokens hold only letters and digits, but quote-doubling keeps the rule obvious and safe.
  const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;
  const parts = parsed.words.map(quote);
  if (parsed.prefix) parts.push(`${quote(parsed.prefix)}*`);
  return parts.join(' ');
}

/**
 * The index's matching rule applied to one normalised text (what `searchableText` returns):
 * every whole word present, the prefix starting some word. The bench's index-free scan uses it,
 * so both sides answer the same question.
 */
export function matchesQuery(parsed: ParsedQuery, normalisedText: string): boolean {
  const tokens = new Set(normalisedText.split(' '));
  if (!parsed.words.every((w) => tokens.has(w))) return false;
  if (parsed.prefix === null) return true;
  for (const t of tokens) if (t.startsWith(parsed.prefix)) return true;
  return false;
}
