import { describe, expect, it } from 'vitest';
import {
  articleLength, buildFtsQuery, matchesQuery, normaliseForSearch, parseSearchQuery, searchableText, searchTokens,
  MAX_QUERY_TOKENS, MAX_TOKEN_LENGTH,
} from './normalise.js';
import { ackRank, mergeAck, mergeStored, toStored } from './ops.js';

describe('normaliseForSearch', () => {
  it.each([
    ['كَتَبَ', 'كتب'], // harakat
    ['شُكْرًا', 'شكرا'], // sukun and tanween
    ['مُحَمَّد', 'محمد'], // shadda
    ['مرحبـــا', 'مرحبا'], // tatweel
    ['أحمد', 'احمد'], ['إسلام', 'اسلام'], ['آمنة', 'امنه'], ['ٱلرحمن', 'رحمن'], // alef forms, taa marbuta, article
    ['مستشفى', 'مستشفي'], // alef maqsura
    ['مؤتمر', 'موتمر'], ['رئيس', 'رييس'], // hamza on waw / yaa
    ['٠١٢٣٤٥٦٧٨٩', '0123456789'], ['۱۲۳', '123'], // Arabic-Indic and Persian digits
    ['الكتاب', 'كتاب'], ['والكتاب', 'كتاب'], ['بالقلم', 'قلم'], ['للمدرسة', 'مدرسه'], // article with proclitics
    ['الم', 'الم'], ['والد', 'والد'], // too short to be an article + stem
    ['Café CRÈME', 'cafe creme'], ['ﬁle', 'file'], ['ÅNGSTRÖM', 'angstrom'],
    ['hello, world! (ok) "quoted" -neg +pos 100% a_b', 'hello world ok quoted neg pos 100 a b'],
    ['زهرة\u200cها', 'زهرهها'], // ZWNJ does not split a word
  ])('%s → %s', (input, expected) => {
    expect(normaliseForSearch(input)).toBe(expected);
  });

  it('handles empty and odd input without throwing', () => {
    expect(normaliseForSearch('')).toBe('');
    expect(normaliseForSearch(null)).toBe('');
    expect(normaliseForSearch('🙂🙂 — …')).toBe('');
    expect(searchTokens('x'.repeat(500))[0]).toHaveLength(MAX_TOKEN_LENGTH);
  });

  it('indexes body, caption, file name and poll options together', () => {
    expect(searchableText({ body: 'Which?', caption: null, filename: 'a.pdf', pollOptions: ['نعم', 'لا'] })).toBe('which a pdf نعم لا');
  });
});

describe('query building', () => {
  it('treats the last word as a prefix only while it is being typed', () => {
    expect(parseSearchQuery('hello wor')).toEqual({ words: ['hello'], prefix: 'wor' });
    expect(parseSearchQuery('hello wor ')).toEqual({ words: ['hello', 'wor'], prefix: null });
    expect(parseSearchQuery('hello w')).toEqual({ words: ['hello', 'w'], prefix: null }); // one letter: whole word
    expect(parseSearchQuery('كتَ')).toEqual({ words: [], prefix: 'كت' });
    expect(parseSearchQuery('"*"')).toBeNull();
    expect(parseSearchQuery('a '.repeat(40))!.words).toHaveLength(MAX_QUERY_TOKENS);
  });

  it('quotes every FTS5 token, so operators are text', () => {
    expect(buildFtsQuery('price AND NOT "final" OR x*')).toBe('"price" "and" "not" "final" "or" "x"');
    expect(buildFtsQuery('NEAR(a b)')).toBe('"near" "a" "b"');
    expect(buildFtsQuery('سعر الكهرب')).toBe('"سعر" "كهرب"*');
    expect(buildFtsQuery('-- ; %')).toBeNull();
  });
});

describe('merge rules', () => {
  it('orders acks pending < failed < sent < delivered < read < played', () => {
    expect([1, 0, 2, 3, 4, 5].map(ackRank)).toEqual([...[1, 0, 2, 3, 4, 5].map(ackRank)].sort((a, b) => a - b));
    expect(mergeAck(3, 2)).toBe(3);
    expect(mergeAck(1, 0)).toBe(0);
    expect(mergeAck(2, 0)).toBe(2);
    expect(mergeAck(0, 1)).toBe(0);
    expect(mergeAck(0, 3)).toBe(3);
  });

  it('fills gaps only, and reports no change for a true duplicate', () => {
    const base = toStored({ id: 'a', chatId: 'c@c.us', body: '', fromMe: 0, timestamp: 5, type: 'image', hasMedia: 1, senderName: '', ack: 1 });
    expect(mergeStored(base, base)).toBeNull();
    const merged = mergeStored(base, { ...base, body: 'x', caption: 'cap', senderName: 'Sami', ack: 3, timestamp: 9 })!;
    expect(merged).toMatchObject({ body: 'x', caption: 'cap', senderName: 'Sami', ack: 3, timestamp: 5 });
    expect(mergeStored(merged, { ...base, body: 'y', caption: 'other' })).toBeNull();
  });

  it('coerces odd engine values instead of failing', () => {
    const s = toStored({ id: 'a', chatId: 'c', body: 7 as unknown as string, fromMe: 1, timestamp: Number.NaN, type: '', hasMedia: 0, senderName: 'x', ack: 9 as 1, pollOptions: ['a', 3 as unknown as string] });
    expect(s).toMatchObject({ body: '', timestamp: 0, type: 'chat', ack: 1, pollOptions: ['a'] });
  });
});

describe('article and letter edge cases', () => {
  it('strips the article only when a real stem remains (two letters after ال, three after لل or a proclitic)', () => {
    expect(articleLength('الاب')).toBe(2); // ال + اب
    expect(articleLength('الا')).toBe(0);
    expect(articleLength('للبيت')).toBe(2); // لل + بيت
    expect(articleLength('لله')).toBe(0);
    expect(articleLength('للبي')).toBe(0);
    expect(articleLength('والكتاب')).toBe(3);
    expect(articleLength('والكت')).toBe(0);
    expect(articleLength('hello')).toBe(0);
    expect(searchTokens('لله للبيت')).toEqual(['لله', 'بيت']);
  });

  it('indexes only the parts a message has', () => {
    expect(searchableText({ body: 'Hello' })).toBe('hello');
    expect(searchableText({ body: '', caption: null, filename: 'a.pdf' })).toBe('a pdf');
  });

  it('folds keheh to kaf', () => {
    expect(normaliseForSearch('کتاب')).toBe('كتاب');
  });
});

describe('matchesQuery (the index-free scan of the bench)', () => {
  const text = searchableText({ body: 'الطلب جاهز', caption: 'Invoice 42', pollOptions: ['Tomorrow'] });
  const q = (s: string) => parseSearchQuery(s)!;
  it('needs every whole word and a word starting with the prefix', () => {
    expect(matchesQuery(q('طلب جاهز '), text)).toBe(true);
    expect(matchesQuery(q('طلب inv'), text)).toBe(true);
    expect(matchesQuery(q('tomorrow '), text)).toBe(true);
    expect(matchesQuery(q('طلب غدا '), text)).toBe(false); // one word missing
    expect(matchesQuery(q('جاه '), text)).toBe(false); // a whole word must match whole
    expect(matchesQuery(q('voice'), text)).toBe(false); // the prefix starts a word, not inside one
    expect(matchesQuery(q('طلب xyz'), text)).toBe(false);
    expect(matchesQuery({ words: [], prefix: null }, text)).toBe(true);
  });
});
