// Issue 16: chats beyond the first page (cursor paging and a server-side filter), a stopped
// number's chats from the archive, and search narrowed by chat and date range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoEngineFactory } from '../../bridge/engine/demo/index.js';
import type { ChatRow } from '../../bridge/domain/index.js';
import { connectSlot, startBridge, waitFor, WsClient, type TestBridge } from '../helpers/bridge.js';

type Chat = { chatId: string; name: string; timestamp: number };
const CHATS = 130;
const phone = (i: number) => `1555080${String(i).padStart(4, '0')}`;

describe('chat pages', () => {
  let t: TestBridge;
  const get = (route: string, query: Record<string, unknown>) => t.http.get(route).query(query).set('apikey', t.token);

  beforeAll(async () => {
    t = await startBridge({ slots: 2, ratePerMinute: 100_000, ratePerHour: 100_000, ratePerDay: 100_000 });
    await connectSlot(t, 1);
    for (let i = 0; i < CHATS; i += 26) {
      await Promise.all(
        Array.from({ length: 26 }, (_, k) => t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, chatId: `${phone(i + k)}@c.us`, message: `hello ${i + k}` }).expect(200)),
      );
    }
    // The demo contacts answer each message; paging is checked once the list stands still.
    await waitFor(async () => {
      const chats = (await get('/api/chats', { slot: 1, limit: 500 })).body.data as { lastMessage: string }[];
      return chats.filter((c) => c.lastMessage?.startsWith('Echo: hello')).length === CHATS;
    }, 20_000, 'every echo');
  });
  afterAll(() => t.stop());

  it('without new parameters answers as before: the newest `limit` chats', async () => {
    const res = await get('/api/chats', { slot: 1 }).expect(200);
    expect(res.body.data).toHaveLength(50);
    expect(res.body.nextBefore).toEqual(expect.stringMatching(/^\d+:\d+@c\.us$/));
    const ts = (res.body.data as Chat[]).map((c) => c.timestamp);
    expect(ts).toEqual([...ts].sort((a, b) => b - a));
    expect((await get('/api/chats', { slot: 1, limit: 500 }).expect(200)).body.nextBefore).toBeNull();
  });

  it('pages through every chat with `before`, each exactly once, in one order', async () => {
    const all = (await get('/api/chats', { slot: 1, limit: 500 })).body.data as Chat[];
    expect(all.length).toBe(CHATS + 4);
    const seen: string[] = [];
    let before: string | null | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const res = await get('/api/chats', { slot: 1, limit: 40, ...(before ? { before } : {}) }).expect(200);
      seen.push(...(res.body.data as Chat[]).map((c) => c.chatId));
      before = res.body.nextBefore;
      if (!before) break;
    }
    expect(seen).toEqual(all.map((c) => c.chatId));
    expect(new Set(seen).size).toBe(all.length);
  });

  it('filters every chat on the server by number or name (`q`), then pages the matches', async () => {
    // The oldest chats are beyond the first page; the filter still finds them.
    const first = ((await get('/api/chats', { slot: 1, limit: 20 })).body.data as Chat[]).map((c) => c.chatId);
    expect(first).not.toContain('447700900123@c.us');
    const sarah = await get('/api/chats', { slot: 1, q: 'sarah', limit: 5 }).expect(200);
    expect((sarah.body.data as Chat[]).map((c) => c.name)).toEqual(['Sarah Jones']);
    expect(sarah.body.nextBefore).toBeNull();
    const arabic = await get('/api/chats', { slot: 1, q: 'omar haddad' }).expect(200);
    expect((arabic.body.data as Chat[]).map((c) => c.chatId)).toEqual(['962781523783@c.us']);
    // 15550800100..15550800129: 30 numbers contain "080012" or "080010".."080012"; page the matches.
    const matches = (await get('/api/chats', { slot: 1, q: '+1 555 080 01', limit: 500 })).body.data as Chat[];
    expect(matches).toHaveLength(30);
    const page1 = await get('/api/chats', { slot: 1, q: '555080 01', limit: 25 }).expect(200);
    const page2 = await get('/api/chats', { slot: 1, q: '555080 01', limit: 25, before: page1.body.nextBefore }).expect(200);
    expect([...page1.body.data, ...page2.body.data].map((c: Chat) => c.chatId)).toEqual(matches.map((c) => c.chatId));
    expect(page2.body.nextBefore).toBeNull();
    expect((await get('/api/chats', { slot: 1, q: 'nobody by this name' })).body.data).toEqual([]);
  });

  it('answers a filter the same over REST (`q`) and WebSocket (`search_conversations`)', async () => {
    const ws = await WsClient.open(t.bridge.url, t.token);
    try {
      // The WebSocket rule used to differ: accents, Arabic digits and numbers under 3 digits.
      for (const query of ['Sarah Jónes', 'OMAR', '٩٦٢٧٨', '44', '555080 012', '+1 555 080 01', 'nobody by this name']) {
        const rest = ((await get('/api/chats', { slot: 1, q: query, limit: 500 })).body.data as Chat[]).map((c) => c.chatId);
        const reply = await ws.command('search_conversations', { slot: 1, query });
        expect(reply.success, query).toBe(true);
        expect((reply.data as Chat[]).map((c) => c.chatId), query).toEqual(rest);
      }
      expect(((await get('/api/chats', { slot: 1, q: 'Sarah Jónes' })).body.data as Chat[]).map((c) => c.name)).toEqual(['Sarah Jones']);
      expect((await ws.command('search_conversations', { slot: 1, query: '  ' })).error).toMatchObject({ code: 'VALIDATION_ERROR' });
    } finally {
      ws.close();
    }
  });

  it('refuses a malformed cursor or filter with 400', async () => {
    for (const query of [{ before: 'yesterday' }, { before: '12:' }, { before: '' }, { q: 'x'.repeat(101) }, { before: ['1:a', '2:b'] }]) {
      const res = await get('/api/chats', { slot: 1, ...query }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await get('/api/archive/chats', { slot: 1, before: 'x' }).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    expect((await get('/api/archive/chats', { slot: 9 }).expect(400)).body.error.code).toBe('INVALID_SLOT');
  });

  it('lists a stopped number’s chats from the archive, with its messages', async () => {
    await connectSlot(t, 2);
    const chatId = '15550900001@c.us';
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 2, chatId, message: 'kept in the archive' }).expect(200);
    await waitFor(async () => ((await get('/api/archive', { slot: 2, chatId })).body.data ?? []).length >= 2, 10_000, 'message and echo archived');
    await t.http.post('/api/disconnect').set('apikey', t.token).send({ slot: 2 }).expect(200);
    expect((await get('/api/chats', { slot: 2 }).expect(409)).body.error.code).toBe('NOT_CONNECTED');
    const chats = await get('/api/archive/chats', { slot: 2 }).expect(200);
    expect(chats.body).toMatchObject({ success: true, slot: 2, nextBefore: null });
    expect(chats.body.data).toContainEqual(expect.objectContaining({ chatId, unreadCount: 0, isGroup: false, lastMessage: 'Echo: kept in the archive' }));
    expect((await get('/api/archive/chats', { slot: 2, q: '900001' })).body.data.map((c: Chat) => c.chatId)).toEqual([chatId]);
    const msgs = await get('/api/archive', { slot: 2, chatId }).expect(200);
    expect(msgs.body.data.map((m: { body: string }) => m.body)).toEqual(['Echo: kept in the archive', 'kept in the archive']);
  });

  it('narrows archive search by chat and date range; bad bounds are a 400', async () => {
    const chatId = `${phone(7)}@c.us`;
    await waitFor(async () => (await get('/api/archive/search', { slot: 1, query: 'hello' })).body.data?.length >= 20, 10_000, 'sends archived');
    const inChat = await get('/api/archive/search', { slot: 1, query: 'hello', chatId }).expect(200);
    expect(inChat.body.data.length).toBeGreaterThan(0);
    expect(new Set(inChat.body.data.map((m: { chatId: string }) => m.chatId))).toEqual(new Set([chatId]));
    const now = Math.floor(Date.now() / 1000);
    expect((await get('/api/archive/search', { slot: 1, query: 'hello', from: now + 3600 })).body.data).toEqual([]);
    expect((await get('/api/archive/search', { slot: 1, query: 'hello', to: now - 86_400 * 365 })).body.data).toEqual([]);
    const today = await get('/api/archive/search', { slot: 1, query: 'hello', chatId, from: now - 3600, to: now + 60 }).expect(200);
    expect(today.body.data.length).toBe(inChat.body.data.length);
    for (const query of [{ from: 'yesterday' }, { to: '-5' }, { from: String(now), to: String(now - 1) }, { chatId: '' }]) {
      const res = await get('/api/archive/search', { slot: 1, query: 'hello', ...query }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
  });
});

describe('chat pages from one listing of the engine', () => {
  const OLDER = 1000;
  let t: TestBridge;
  let listings = 0;
  const get = (query: Record<string, unknown>) => t.http.get('/api/chats').query({ slot: 1, ...query }).set('apikey', t.token).expect(200);

  beforeAll(async () => {
    // The demo account's four chats and 1,000 older ones, counting the engine's full listings.
    const yesterday = Math.floor(Date.now() / 1000) - 86_400;
    const older: ChatRow[] = Array.from({ length: OLDER }, (_, i) => ({
      chatId: `${phone(i)}@c.us`, name: `Older ${i}`, isGroup: false, unreadCount: 0, timestamp: yesterday - i, lastMessage: 'hi', isMuted: false, muteExpiration: 0,
    }));
    const demo = createDemoEngineFactory({ scanMs: 50, replyMs: 60_000 });
    t = await startBridge({ slots: 1 }, {
      engineFactory: (ctx) => {
        const engine = demo(ctx);
        const own = engine.getChats.bind(engine);
        engine.getChats = async (limit) => {
          listings++;
          return [...(await own(limit)), ...older].slice(0, limit);
        };
        return engine;
      },
    });
    await connectSlot(t, 1);
  });
  afterAll(() => t.stop());

  it('pages 1,004 chats in pages of 100 with one listing; a sent message is on top of the next page', async () => {
    listings = 0;
    const seen: string[] = [];
    let before: string | null | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const res = await get({ limit: 100, ...(before ? { before } : {}) });
      seen.push(...(res.body.data as Chat[]).map((c) => c.chatId));
      before = res.body.nextBefore;
      if (!before) break;
    }
    expect(seen).toHaveLength(OLDER + 4);
    expect(seen.slice(4)).toEqual(Array.from({ length: OLDER }, (_, i) => `${phone(i)}@c.us`));
    expect(listings).toBe(1);
    // Sarah's chat (second) gets a message: the very next page has it on top.
    expect(seen[1]).toBe('447700900123@c.us');
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, chatId: '447700900123@c.us', message: 'to the second' }).expect(200);
    expect((await get({ limit: 100 })).body.data[0]).toMatchObject({ chatId: '447700900123@c.us', lastMessage: 'to the second' });
    expect(listings).toBe(2);
  });
});
