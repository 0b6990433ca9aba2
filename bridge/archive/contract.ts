// The one contract every ArchiveStore must pass (SQLite and MySQL run the same cases).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArchivedMessage, MediaRecord } from '../domain/index.js';
import type { ArchiveStore } from './types.js';

export interface HarnessOpenOptions {
  /** Migrate only up to this schema version. */
  targetVersion?: number;
}

/** One fresh, empty database per test, and backend-specific doors into it. */
export interface ArchiveHarness {
  /** A store on this test's database, initialised. Several calls share the database. */
  open(opts?: HarnessOpenOptions): Promise<ArchiveStore>;
  /** Write a message the way the version-1 schema stored it (migration tests). */
  insertLegacyV1(slot: number, m: { id: string; chatId: string; body: string; timestamp: number }): Promise<void>;
  /** Record a schema version as applied (a database from a newer bridge). */
  recordVersion(version: number): Promise<void>;
  schemaVersion(): Promise<number>;
  cleanup(): Promise<void>;
}

let seq = 0;
export function msg(over: Partial<ArchivedMessage> = {}): ArchivedMessage {
  seq++;
  return {
    id: `false_962781523783@c.us_${seq.toString(16).padStart(8, '0')}`,
    chatId: '962781523783@c.us',
    body: `message ${seq}`,
    fromMe: 0,
    timestamp: 1_700_000_000 + seq,
    type: 'chat',
    hasMedia: 0,
    senderName: 'Sami',
    ack: 1,
    ...over,
  };
}

export function runArchiveContract(name: string, makeHarness: () => Promise<ArchiveHarness>): void {
  describe(`ArchiveStore contract: ${name}`, () => {
    let h: ArchiveHarness;
    let store: ArchiveStore;
    const opened: ArchiveStore[] = [];

    async function open(opts?: HarnessOpenOptions): Promise<ArchiveStore> {
      const s = await h.open(opts);
      opened.push(s);
      return s;
    }

    async function save(slot: number, ...messages: ArchivedMessage[]): Promise<void> {
      for (const m of messages) store.saveMessage(slot, m);
      await store.flush();
    }

    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    const search = (query: string, slot: number | 'all' = 1, limit = 50, offset = 0) =>
      store.search({ slot: slot === 'all' ? undefined : slot, query, limit, offset });

    beforeEach(async () => {
      h = await makeHarness();
      store = await open();
    });

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await h.cleanup();
    });

    describe('writes and pagination', () => {
      it('lists a chat newest first with the API row shape', async () => {
        const a = msg({ timestamp: 100, body: 'first' });
        const b = msg({ timestamp: 300, body: 'third', fromMe: 1, ack: 2 });
        const c = msg({ timestamp: 200, body: 'second', hasMedia: 1, type: 'image', caption: 'cap' });
        const other = msg({ chatId: '962700000000@c.us', timestamp: 400 });
        await save(1, a, b, c, other);
        const rows = await store.listMessages(1, '962781523783@c.us', 50, 0);
        expect(ids(rows)).toEqual([b.id, c.id, a.id]);
        expect(rows[0]).toMatchObject({ id: b.id, body: 'third', fromMe: 1, timestamp: 300, type: 'chat', hasMedia: 0, senderName: 'Sami', ack: 2, chatId: '962781523783@c.us', slot: 1 });
        expect(rows[1]).toMatchObject({ hasMedia: 1, type: 'image', caption: 'cap' });
        expect(await store.listMessages(2, '962781523783@c.us', 50, 0)).toEqual([]);
      });

      it('orders a chat by the bridge sequence: a burst within one second reads in the order it happened', async () => {
        const second = 1_700_500_000;
        // Saved out of order on purpose: the sequence, not the write order, decides.
        const text = msg({ timestamp: second, body: 'text', seq: second * 1000 });
        const photo = msg({ timestamp: second, type: 'image', hasMedia: 1, seq: second * 1000 + 1 });
        const pdf = msg({ timestamp: second, type: 'document', hasMedia: 1, filename: 'a.pdf', seq: second * 1000 + 2 });
        const poll = msg({ timestamp: second, type: 'poll', body: 'When?', pollOptions: ['Mon', 'Tue'], seq: second * 1000 + 3 });
        const before = msg({ timestamp: second - 1, seq: (second - 1) * 1000 + 7 });
        await save(1, poll, pdf, before, text, photo);
        const rows = await store.listMessages(1, text.chatId, 50, 0);
        expect(ids(rows)).toEqual([poll.id, pdf.id, photo.id, text.id, before.id]);
        expect(rows.map((r) => r.seq)).toEqual([second * 1000 + 3, second * 1000 + 2, second * 1000 + 1, second * 1000, (second - 1) * 1000 + 7]);
        // A later copy keeps the first number; paging follows the same order.
        await save(1, { ...text, seq: second * 1000 + 900 });
        expect(ids(await store.listMessages(1, text.chatId, 2, 2))).toEqual([photo.id, text.id]);
        // Rows nobody numbered sort by their second, then in the order they were stored.
        const a = msg({ timestamp: second + 5 });
        const b = msg({ timestamp: second + 5 });
        await save(1, a, b);
        expect(ids(await store.listMessages(1, text.chatId, 2, 0))).toEqual([b.id, a.id]);
        expect((await store.getMessage(1, a.id))!.seq).toBe((second + 5) * 1000);
      });

      it('pages exactly: limit 1, limit 500, offset past the end; limit 501 and bad offsets are refused', async () => {
        const all = Array.from({ length: 520 }, (_, i) => msg({ timestamp: 10_000 + i }));
        await save(1, ...all);
        const chat = '962781523783@c.us';
        const newest = all[all.length - 1]!;
        expect(ids(await store.listMessages(1, chat, 1, 0))).toEqual([newest.id]);
        expect(ids(await store.listMessages(1, chat, 1, 1))).toEqual([all[all.length - 2]!.id]);
        const page = await store.listMessages(1, chat, 500, 0);
        expect(page).toHaveLength(500);
        const rest = await store.listMessages(1, chat, 500, 500);
        expect(ids(rest)).toEqual(all.slice(0, 20).reverse().map((m) => m.id));
        expect(await store.listMessages(1, chat, 50, 520)).toEqual([]);
        expect(await store.listMessages(1, chat, 50, 10_000)).toEqual([]);
        await expect(store.listMessages(1, chat, 501, 0)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
        await expect(store.listMessages(1, chat, 0, 0)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
        await expect(store.listMessages(1, chat, 10, -1)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
        await expect(store.listMessages(1, chat, 1.5, 0)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
        await expect(search('message', 1, 501)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
      });

      it('stores a message seen twice once; a later copy only fills gaps', async () => {
        const m = msg({ type: 'image', hasMedia: 1, body: '' });
        await save(1, m, { ...m }, m);
        store.saveMessage(1, { ...m, body: 'should not replace', caption: 'sunset at aqaba', ack: 3 });
        store.saveMessage(1, { ...m, caption: 'a different caption', ack: 2 });
        await store.flush();
        const rows = await store.listMessages(1, m.chatId, 50, 0);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ body: 'should not replace', caption: 'sunset at aqaba', ack: 3 });
        // The filled-in caption is searchable.
        expect(ids(await search('aqaba'))).toEqual([m.id]);
        // The same id in another slot is another message.
        await save(2, m);
        expect(await store.getMessage(2, m.id)).toMatchObject({ id: m.id, slot: 2 });
      });

      it('never moves an ack backwards; failed only replaces pending', async () => {
        const a = msg({ ack: 1 });
        const b = msg({ ack: 1 });
        await save(1, a, b);
        for (const ack of [3, 2, 4, 1, 0] as const) store.updateAck(1, a.id, ack);
        store.updateAck(1, b.id, 0);
        store.updateAck(1, b.id, 1);
        store.updateAck(1, 'no-such-message', 4);
        await store.flush();
        expect((await store.getMessage(1, a.id))!.ack).toBe(4);
        expect((await store.getMessage(1, b.id))!.ack).toBe(0);
        store.updateAck(1, b.id, 2);
        await store.flush();
        expect((await store.getMessage(1, b.id))!.ack).toBe(2);
      });

      it('keeps acks, edits and revokes that arrive in the same batch as the message, in order', async () => {
        const m = msg({ body: 'original words', fromMe: 1 });
        store.saveMessage(1, m);
        store.updateAck(1, m.id, 3);
        store.saveEdit(1, m.id, 'edited words');
        await store.flush();
        const row = await store.getMessage(1, m.id);
        expect(row).toMatchObject({ ack: 3, body: 'edited words' });
        expect(row!.editedAt).toEqual(expect.any(Number));
        expect(ids(await search('edited'))).toEqual([m.id]);
        expect(await search('original')).toEqual([]);
        store.saveRevoke(1, m.id);
        await store.flush();
        const revoked = await store.getMessage(1, m.id);
        expect(revoked!.revokedAt).toEqual(expect.any(Number));
        expect(revoked!.body).toBe('edited words');
      });

      it('stores poll options (searchable) and the latest vote of each voter', async () => {
        const poll = msg({ type: 'poll', body: 'Which language?', pollOptions: ['Node.js', 'Python', 'Golang'] });
        await save(1, poll);
        expect((await store.getMessage(1, poll.id))!.pollOptions).toEqual(['Node.js', 'Python', 'Golang']);
        expect(ids(await search('golang'))).toEqual([poll.id]);
        expect(ids(await search('language'))).toEqual([poll.id]);
        const vote = (voter: string, selectedOptions: string[], timestamp: number) =>
          store.savePollVote(1, { chatId: poll.chatId, messageId: poll.id, voter, selectedOptions, timestamp });
        vote('111@c.us', ['Python'], 10);
        vote('222@c.us', ['Node.js'], 11);
        vote('111@c.us', ['Golang'], 12);
        vote('222@c.us', ['Python'], 5); // older than what we have: ignored
        await store.flush();
        const tally = await store.getPollTally(1, poll.id);
        expect(tally.messageId).toBe(poll.id);
        expect(tally.votes).toEqual([
          { voter: '222@c.us', selectedOptions: ['Node.js'], timestamp: 11 },
          { voter: '111@c.us', selectedOptions: ['Golang'], timestamp: 12 },
        ]);
        expect((await store.getPollTally(1, 'unknown')).votes).toEqual([]);
      });

      it('ignores bad writes without throwing and answers unknown ids with null', async () => {
        expect(() => store.saveMessage(0, msg())).not.toThrow();
        expect(() => store.saveMessage(1, null as unknown as ArchivedMessage)).not.toThrow();
        expect(() => store.saveMessage(1, { ...msg(), timestamp: Number.NaN, ack: 9 as 1, body: undefined as unknown as string })).not.toThrow();
        expect(() => store.saveMessage(1, { ...msg(), pollOptions: 5 as unknown as string[], caption: {} as string })).not.toThrow();
        expect(() => store.updateAck(-3, 'x', 2)).not.toThrow();
        await store.flush();
        expect(await store.getMessage(1, 'nope')).toBeNull();
        expect(store.health()).toMatchObject({ ok: true, backend: store.backend });
      });

      it('does not block the caller on a burst and loses nothing on close', async () => {
        const burst = Array.from({ length: 5000 }, (_, i) => msg({ chatId: '962799999999@c.us', timestamp: 50_000 + i, body: `burst ${i}` }));
        // Fire and forget: nothing for the caller to wait on (its cost is in the archive bench).
        for (const m of burst) expect(store.saveMessage(3, m)).toBeUndefined();
        await store.close();
        const again = await open();
        const rows = await again.listMessages(3, '962799999999@c.us', 500, 4500);
        expect(rows).toHaveLength(500);
        expect(rows[499]!.id).toBe(burst[0]!.id);
      });
    });

    describe('search', () => {
      it('finds Arabic regardless of harakat, tatweel, hamza forms, yaa/alef maqsura, taa marbuta, digits and the article', async () => {
        const cases: [stored: string, typed: string][] = [
          ['كَتَبَ الطَّالِبُ الدَّرْسَ', 'كتب'],
          ['كتب الطالب الدرس', 'كَتَبَ'],
          ['مرحبـــــا بكم', 'مرحبا'],
          ['أحمد وصل', 'احمد'],
          ['احمد وصل', 'أحمد'],
          ['إبراهيم هنا', 'ابراهيم'],
          ['آمنة مسافرة', 'امنه'],
          ['ٱلرحمن', 'رحمن'],
          ['ذهبنا إلى المستشفى', 'مستشفي'],
          ['المدرسة مغلقة', 'مدرسه'],
          ['سؤال مهم', 'سوال'],
          ['رئيس القسم', 'رييس'],
          ['الرقم ١٢٣٤٥ صحيح', '12345'],
          ['الرقم 67890 صحيح', '٦٧٨٩٠'],
          ['وصل الكتاب', 'كتاب'],
          ['اشتريت كتاب جديد', 'الكتاب'],
          ['شكراً جزيلاً', 'شكرا'],
        ];
        const saved = cases.map(([body]) => msg({ body, chatId: '966500000001@c.us' }));
        await save(1, ...saved);
        for (const [i, [, typed]] of cases.entries()) {
          const found = ids(await search(typed));
          expect(found, `"${typed}" should find "${cases[i]![0]}"`).toContain(saved[i]!.id);
        }
        // Tanween/harakat in the query and a search across both spellings.
        expect(ids(await search('الطَّالِب'))).toEqual(expect.arrayContaining([saved[0]!.id, saved[1]!.id]));
      });

      it('ignores case and accents in Latin text', async () => {
        const a = msg({ body: 'Meeting at the CAFÉ tomorrow' });
        const b = msg({ body: 'Résumé attached, naïve version' });
        await save(1, a, b);
        expect(ids(await search('cafe'))).toEqual([a.id]);
        expect(ids(await search('CAFÉ '))).toEqual([a.id]);
        expect(ids(await search('resume naive'))).toEqual([b.id]);
        expect(ids(await search('RÉSUMÉ'))).toEqual([b.id]);
      });

      it('matches the last word as a prefix while typing, other words whole', async () => {
        const a = msg({ body: 'preferred supplier invoice' });
        const b = msg({ body: 'prefer tea' });
        const c = msg({ body: 'المستشفى الجامعي' });
        await save(1, a, b, c);
        expect(ids(await search('prefe')).sort()).toEqual([a.id, b.id].sort());
        expect(ids(await search('supplier pref'))).toEqual([a.id]);
        expect(ids(await search('pref supplier'))).toEqual([]); // "pref" is not a whole word
        expect(ids(await search('prefe '))).toEqual([]); // a trailing space ends the word
        expect(ids(await search('مستش'))).toEqual([c.id]);
        expect(ids(await search('المستش'))).toEqual([c.id]);
      });

      it('searches captions and file names too', async () => {
        const img = msg({ type: 'image', hasMedia: 1, body: '', caption: 'Birthday cake' });
        const doc = msg({ type: 'document', hasMedia: 1, body: '', filename: 'invoice-2024.pdf' });
        await save(1, img, doc);
        expect(ids(await search('birthday'))).toEqual([img.id]);
        expect(ids(await search('invoice 2024'))).toEqual([doc.id]);
      });

      it('treats hostile input as text: never an error, never everything', async () => {
        const plain = msg({ body: 'the price is 100% final' });
        const noise = msg({ body: 'unrelated words here' });
        const sql = msg({ body: "robert'); DROP TABLE messages;-- was here" });
        await save(1, plain, noise, sql);
        const hostile = [
          '"', '""', "'", '*', '-', '+', '(', ')', '%', '_', '%%', '__', '\\', ';', 'NEAR', 'AND', 'OR NOT',
          '"unterminated', 'price*', '-price', '+price', '(price', 'price)', 'pri"ce', "' OR '1'='1", '" OR 1=1 --',
          "'; DROP TABLE messages; --", 'price AND NOT final', 'text:price', 'price^', '{price}', 'a'.repeat(5000),
          '@@version', 'MATCH(x) AGAINST', '\u0000', '🙂', 'ـــ', 'َ',
        ];
        for (const q of hostile) {
          const rows = await search(q);
          expect(Array.isArray(rows), q).toBe(true);
          expect(rows.length, `"${q}" must not match everything`).toBeLessThan(3);
        }
        expect(ids(await search('100%'))).toEqual([plain.id]);
        expect(ids(await search('"price"'))).toEqual([plain.id]);
        expect(ids(await search('-price'))).toEqual([plain.id]);
        expect(ids(await search("DROP TABLE messages"))).toEqual([sql.id]);
        // Still intact.
        expect(await store.listMessages(1, plain.chatId, 10, 0)).toHaveLength(3);
        await expect(search('   ')).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
      });

      it('ranks the best match first, then the newest', async () => {
        const weak = msg({ timestamp: 5000, body: 'lunch menu options for the week ahead, with notes about lunch and some other business' });
        const strong = msg({ timestamp: 1000, body: 'lunch lunch lunch' });
        const tieOld = msg({ timestamp: 2000, body: 'falafel tonight' });
        const tieNew = msg({ timestamp: 3000, body: 'falafel tonight' });
        await save(1, weak, strong, tieOld, tieNew, msg({ body: 'filler one' }), msg({ body: 'filler two' }), msg({ body: 'filler three' }));
        expect(ids(await search('lunch'))).toEqual([strong.id, weak.id]);
        expect(ids(await search('falafel'))).toEqual([tieNew.id, tieOld.id]);
        expect(ids(await search('falafel', 1, 1, 1))).toEqual([tieOld.id]);
        expect(await search('falafel', 1, 10, 2)).toEqual([]);
      });

      it('orders newest first when asked (relevance stays the default); a bad order is refused', async () => {
        const strong = msg({ timestamp: 1000, body: 'lunch lunch lunch' });
        const weak = msg({ timestamp: 5000, body: 'lunch menu options for the week ahead, with notes about lunch and some other business' });
        const middle = msg({ timestamp: 3000, body: 'lunch at noon' });
        await save(1, strong, weak, middle);
        await save(2, msg({ timestamp: 4000, body: 'lunch on slot two' }));
        const newest = (slot: number | undefined, limit = 50, offset = 0) => store.search({ slot, query: 'lunch', limit, offset, order: 'newest' });
        expect(ids(await newest(1))).toEqual([weak.id, middle.id, strong.id]);
        expect(ids(await newest(1, 1, 1))).toEqual([middle.id]);
        expect((await newest(undefined)).map((r) => r.timestamp)).toEqual([5000, 4000, 3000, 1000]);
        expect(ids(await search('lunch'))[0]).toBe(strong.id);
        await expect(store.search({ slot: 1, query: 'lunch', limit: 5, order: 'oldest' as never })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
      });

      it('searches one slot, or every slot when the slot is omitted', async () => {
        const s1 = msg({ body: 'shipment arrived', timestamp: 10 });
        const s2 = msg({ body: 'shipment delayed', timestamp: 20 });
        await save(1, s1);
        await save(2, s2);
        expect(ids(await search('shipment', 1))).toEqual([s1.id]);
        expect(ids(await search('shipment', 2))).toEqual([s2.id]);
        const all = await search('shipment', 'all');
        expect(all.map((r) => [r.slot, r.id])).toEqual([[2, s2.id], [1, s1.id]]);
        expect(await search('shipment', 3)).toEqual([]);
      });
    });

    describe('chat list and search scope', () => {
      it('lists each chat of a slot once, with its last activity, last message and the contact name', async () => {
        const sami = '962781523783@c.us';
        const group = '120363000000000001@g.us';
        await save(
          1,
          msg({ chatId: sami, timestamp: 100, body: 'hi', senderName: 'Sami' }),
          msg({ chatId: sami, timestamp: 200, body: 'on my way', fromMe: 1, senderName: 'Me' }),
          msg({ chatId: group, timestamp: 150, body: 'group news', senderName: 'Omar' }),
          msg({ chatId: '962700000009@c.us', timestamp: 50, type: 'document', hasMedia: 1, body: '', filename: 'price list.pdf', senderName: 'Lina' }),
        );
        await save(2, msg({ chatId: '962700000002@c.us', timestamp: 300, body: 'other slot' }));
        const chats = (await store.listChats(1)).sort((a, b) => b.timestamp - a.timestamp);
        expect(chats).toEqual([
          { chatId: sami, name: 'Sami', isGroup: false, unreadCount: 0, timestamp: 200, lastMessage: 'on my way', isMuted: false, muteExpiration: 0 },
          { chatId: group, name: '', isGroup: true, unreadCount: 0, timestamp: 150, lastMessage: 'group news', isMuted: false, muteExpiration: 0 },
          expect.objectContaining({ chatId: '962700000009@c.us', name: 'Lina', timestamp: 50, lastMessage: 'price list.pdf' }),
        ]);
        expect(await store.listChats(3)).toEqual([]);
        await expect(store.listChats(0)).rejects.toMatchObject({ code: 'INVALID_SLOT' });
      });

      it('narrows a search to one chat and to a time range (both orders)', async () => {
        const a = msg({ chatId: '962700000001@c.us', timestamp: 1000, body: 'invoice one' });
        const b = msg({ chatId: '962700000002@c.us', timestamp: 2000, body: 'invoice two' });
        const c = msg({ chatId: '962700000001@c.us', timestamp: 3000, body: 'invoice three' });
        await save(1, a, b, c);
        for (const order of ['relevance', 'newest'] as const) {
          const find = (scope: { chatId?: string; from?: number; to?: number }, q = 'invoice') =>
            store.search({ slot: 1, query: q, limit: 50, order, ...scope }).then((rows) => ids(rows).sort());
          expect(await find({ chatId: '962700000001@c.us' })).toEqual([a.id, c.id].sort());
          expect(await find({ from: 2000 })).toEqual([b.id, c.id].sort());
          expect(await find({ to: 2000 })).toEqual([a.id, b.id].sort());
          expect(await find({ from: 1500, to: 2500 })).toEqual([b.id]);
          expect(await find({ chatId: '962700000002@c.us', from: 2500 })).toEqual([]);
          // The word being typed (a prefix) is narrowed the same way.
          expect(await find({ chatId: '962700000001@c.us', to: 1500 }, 'invo')).toEqual([a.id]);
          expect(await store.search({ query: 'invoice', limit: 50, order, chatId: '962700000002@c.us' }).then(ids)).toEqual([b.id]);
        }
        await expect(store.search({ slot: 1, query: 'invoice', limit: 5, from: -1 })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
      });
    });

    describe('media records', () => {
      const record = (messageId: string, over: Partial<MediaRecord> = {}): MediaRecord => ({
        messageId,
        status: 'stored',
        sha256: 'a'.repeat(64),
        mimetype: 'application/pdf',
        filename: 'فاتورة March.pdf',
        size: 12_345_678_901,
        durationMs: null,
        updatedAt: 1_700_000_100,
        ...over,
      });

      it('keeps the latest record per message, and per slot', async () => {
        const doc = msg({ type: 'document', hasMedia: 1, filename: 'فاتورة March.pdf', mimetype: 'application/pdf' });
        const voice = msg({ type: 'ptt', hasMedia: 1, mimetype: 'audio/ogg; codecs=opus' });
        await save(1, doc, voice);
        store.saveMedia(1, record(doc.id));
        store.saveMedia(1, record(voice.id, { status: 'stored', mimetype: 'audio/ogg', filename: null, size: 100, durationMs: 4200 }));
        store.saveMedia(1, record(voice.id, { status: 'expired', sha256: null, mimetype: 'audio/ogg', filename: null, size: null, durationMs: 4200 }));
        store.saveMedia(2, record(doc.id, { status: 'failed', sha256: null }));
        await store.flush();
        const got = await store.getMedia(1, [doc.id, voice.id, 'no-such-id']);
        const byId = new Map(got.map((m) => [m.messageId, m]));
        expect(got).toHaveLength(2);
        expect(byId.get(doc.id)).toEqual(record(doc.id));
        expect(byId.get(voice.id)).toMatchObject({ status: 'expired', sha256: null, durationMs: 4200, size: null });
        expect(await store.getMedia(2, [doc.id])).toMatchObject([{ status: 'failed', sha256: null }]);
        expect(await store.getMedia(3, [doc.id])).toEqual([]);
        expect(await store.getMedia(1, [])).toEqual([]);
      });

      it('drops bad fields instead of failing the batch, and refuses an oversized id list', async () => {
        const m = msg({ hasMedia: 1, type: 'image' });
        await save(1, m);
        store.saveMedia(1, { ...record(m.id), sha256: 'not-a-hash', size: -5, status: 'weird' as never });
        const after = msg();
        await save(1, after);
        expect(await store.getMedia(1, [m.id])).toMatchObject([{ status: 'failed', sha256: null, size: null }]);
        expect(await store.getMessage(1, after.id)).not.toBeNull();
        await expect(store.getMedia(1, Array.from({ length: 501 }, (_, i) => `id${i}`))).rejects.toThrow(/at most 500/);
      });

      it('finds documents by file name and caption', async () => {
        const doc = msg({ type: 'document', hasMedia: 1, body: '', filename: 'Quotation-Zarqa.pdf', caption: 'الأسعار الجديدة' });
        await save(1, doc);
        expect(ids(await search('zarqa'))).toEqual([doc.id]);
        expect(ids(await search('الاسعار'))).toEqual([doc.id]);
      });
    });

    describe('schema', () => {
      it('migrates an empty database to the latest version, and again is a no-op', async () => {
        const version = await h.schemaVersion();
        expect(version).toBeGreaterThanOrEqual(2);
        const m = msg({ body: 'survives reopening' });
        await save(1, m);
        await store.close();
        const again = await open();
        expect(await h.schemaVersion()).toBe(version);
        expect(ids(await again.search({ slot: 1, query: 'survives', limit: 10 }))).toEqual([m.id]);
      });

      it('migrates the previous schema, keeping its messages searchable', async () => {
        await store.close();
        await h.cleanup();
        h = await makeHarness();
        const old = await open({ targetVersion: 1 });
        expect(await h.schemaVersion()).toBe(1);
        await old.close();
        await h.insertLegacyV1(1, { id: 'legacy-1', chatId: '962781523783@c.us', body: 'رسالة قديمة من الأرشيف', timestamp: 1_600_000_000 });
        // Three in one second: the migration numbers them in the order they were stored.
        for (const id of ['same-a', 'same-b', 'same-c']) {
          await h.insertLegacyV1(1, { id, chatId: '962781523783@c.us', body: id, timestamp: 1_600_000_100 });
        }
        store = await open();
        const burst = await store.listMessages(1, '962781523783@c.us', 3, 0);
        expect(burst.map((r) => [r.id, r.seq])).toEqual([
          ['same-c', 1_600_000_100_002], ['same-b', 1_600_000_100_001], ['same-a', 1_600_000_100_000],
        ]);
        expect(await h.schemaVersion()).toBeGreaterThanOrEqual(2);
        const row = await store.getMessage(1, 'legacy-1');
        expect(row).toMatchObject({ id: 'legacy-1', body: 'رسالة قديمة من الأرشيف', editedAt: null, revokedAt: null });
        expect(ids(await search('ارشيف'))).toEqual(['legacy-1']);
        // Features of the new schema work on old rows.
        store.saveEdit(1, 'legacy-1', 'رسالة معدلة');
        await store.flush();
        expect(ids(await search('معدله'))).toEqual(['legacy-1']);
      });

      it('refuses a database from a newer bridge with a clear error and leaves it alone', async () => {
        const m = msg();
        await save(1, m);
        await store.close();
        await h.recordVersion(999);
        await expect(h.open()).rejects.toThrow(/newer than this bridge/);
        expect(await h.schemaVersion()).toBe(999);
      });
    });
  });
}
