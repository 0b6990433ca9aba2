// The admin app's pure logic: Arabic-aware highlighting, message merging and acks, poll tallies,
// settings validation, language choice, error wording, and the WebSocket reconnect loop.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, WebSocket as NodeWebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { fold, highlight, queryTerms } from '../../renderer/src/lib/highlight.js';
import { effectiveAck, inlineThumbnail, localSeq, mediaKind, mergeMessages } from '../../renderer/src/lib/messages.js';
import { applyVote, tally, validPoll } from '../../renderer/src/lib/polls.js';
import { settingsChanges } from '../../renderer/src/lib/settings.js';
import { pairingPayload } from '../../renderer/src/lib/pairing.js';
import { formatPhone, isMutedNow } from '../../renderer/src/lib/format.js';
import { detectLang, translator } from '../../renderer/src/i18n/i18n.js';
import { en } from '../../renderer/src/i18n/en.js';
import { ar } from '../../renderer/src/i18n/ar.js';
import { explainError } from '../../renderer/src/lib/errors.js';
import { ApiError, createApi } from '../../renderer/src/api/client.js';
import { BridgeLink, socketUrl, type SocketLike } from '../../renderer/src/api/ws.js';
import { migrateStoredToken, OLD_TOKEN_KEY } from '../../renderer/src/api/session.js';
import type { Message } from '../../renderer/src/api/types.js';

const marked = (text: string, q: string) => highlight(text, q).filter((s) => s.match).map((s) => s.text);

describe('highlight', () => {
  it('marks English matches case- and accent-insensitively, as prefixes', () => {
    expect(marked('Your preferred café is Open', 'PREFER cafe open')).toEqual(['prefer', 'café', 'Open']);
  });
  it('marks Arabic regardless of harakat, tatweel, hamza forms, taa marbuta and alef maqsura', () => {
    const text = 'الطَّلَبُ جاهـــز في المدرسة، إلى أحمد';
    expect(marked(text, 'الطلب')).toEqual(['الطَّلَبُ']);
    expect(marked(text, 'جاهز')).toEqual(['جاهـــز']);
    expect(marked(text, 'المدرسه')).toEqual(['المدرسة']);
    expect(marked(text, 'الي احمد')).toEqual(['إلى', 'أحمد']);
  });
  it('marks what the archive matched: Arabic-Indic digits and words found without their article', () => {
    expect(marked('الطلب رقم 123', '١٢٣')).toEqual(['123']);
    expect(marked('الطلب رقم ١٢٣', '123')).toEqual(['١٢٣']);
    expect(marked('وصل الكتاب بالكتاب', 'كتاب')).toEqual(['الكتاب', 'بالكتاب']);
    expect(marked('المدرسة', 'والمدرسه')).toEqual(['المدرسة']);
  });
  it('keeps the original text intact around the marks', () => {
    const text = 'قال: الطَّلَبُ جاهز!';
    expect(highlight(text, 'طلب').map((s) => s.text).join('')).toBe(text);
  });
  it('treats search operators as plain punctuation', () => {
    expect(queryTerms('"hello" -world* (x)')).toEqual(['hello', 'world', 'x']);
    expect(highlight('nothing here', '***')).toEqual([{ text: 'nothing here', match: false }]);
    expect(fold('ÉTÉ')).toBe('ete');
  });
});

const row = (id: string, ts: number, ack = 1): Message => ({
  id, chatId: '1@c.us', body: id, fromMe: 1, timestamp: ts, type: 'chat', hasMedia: 0, senderName: '', ack: ack as Message['ack'],
});

describe('messages', () => {
  it('merges without duplicates, oldest first, acks never going back', () => {
    const merged = mergeMessages([row('b', 20, 3), row('a', 10)], [row('b', 20, 2), row('c', 15)]);
    expect(merged.map((m) => m.id)).toEqual(['a', 'c', 'b']);
    expect(merged.find((m) => m.id === 'b')!.ack).toBe(3);
  });
  it('orders one second by the bridge sequence, whatever order the rows came in; a local row goes last', () => {
    const burst = [{ ...row('poll', 50), seq: 50_003 }, { ...row('pdf', 50), seq: 50_002 }, { ...row('photo', 50), seq: 50_001 }, { ...row('text', 50), seq: 50_000 }];
    const local = { ...row('local-1', 50), seq: localSeq(50) };
    expect(mergeMessages([], burst).map((m) => m.id)).toEqual(['text', 'photo', 'pdf', 'poll']);
    expect(mergeMessages(burst.slice(2), [local, ...burst.slice(0, 2)]).map((m) => m.id)).toEqual(['text', 'photo', 'pdf', 'poll', 'local-1']);
  });
  it('uses the newer ack from events, and 0 for a failure', () => {
    expect(effectiveAck(2, undefined)).toBe(2);
    expect(effectiveAck(2, 4)).toBe(4);
    expect(effectiveAck(4, 3)).toBe(4);
    expect(effectiveAck(3, 0)).toBe(0);
  });
  it('knows media kinds and inline thumbnails', () => {
    expect(mediaKind({ type: 'ptt', hasMedia: 1 })).toBe('voice');
    expect(mediaKind({ type: 'poll', hasMedia: 0 })).toBe('poll');
    expect(mediaKind({ type: 'weird', hasMedia: 1 })).toBe('document');
    expect(inlineThumbnail('/9j/' + 'A'.repeat(300))).toMatch(/^data:image\/jpeg;base64,/);
    expect(inlineThumbnail('a caption')).toBeNull();
  });
});

describe('polls', () => {
  it('counts each voter once, latest choice wins', () => {
    let votes = applyVote({}, { voter: 'a', selectedOptions: ['Node.js'], timestamp: 1 });
    votes = applyVote(votes, { voter: 'b', selectedOptions: ['Node.js', 'Go'], timestamp: 2 });
    votes = applyVote(votes, { voter: 'a', selectedOptions: ['Python'], timestamp: 3 });
    votes = applyVote(votes, { voter: 'a', selectedOptions: ['Node.js'], timestamp: 0 }); // stale
    expect(tally(['Node.js', 'Python'], votes)).toEqual({
      options: [{ name: 'Node.js', count: 1 }, { name: 'Python', count: 1 }, { name: 'Go', count: 1 }],
      voters: 2,
    });
  });
  it('validates a poll like the API does', () => {
    expect(validPoll(' Q ', [' a', 'b ', ''])).toEqual(['a', 'b']);
    expect(validPoll('Q', ['a'])).toBeNull();
    expect(validPoll('Q', ['a', 'A'])).toBeNull();
    expect(validPoll('', ['a', 'b'])).toBeNull();
    expect(validPoll('Q', Array.from({ length: 13 }, (_, i) => `o${i}`))).toBeNull();
  });
});

describe('settings form', () => {
  const saved = { dataDir: '/d', port: 3000, slots: 6, engine: 'demo' as const, dbUrl: 'mysql://u:****@h:3306/db', firebaseServiceAccount: null, ratePerMinute: 10, ratePerHour: 100, ratePerDay: 1000 };
  const form = { port: '3000', slots: '6', ratePerMinute: '10', ratePerHour: '100', ratePerDay: '1000', db: 'mysql' as const, dbUrl: 'mysql://u:****@h:3306/db' };
  const msgs = { number: (f: string, a: number, b: number) => `${f} ${a}-${b}`, dbUrl: 'bad url' };
  it('sends only what changed (a masked URL left alone is not sent)', () => {
    expect(settingsChanges(saved, form, (k) => k, msgs)).toEqual({});
    expect(settingsChanges(saved, { ...form, port: '3100', ratePerDay: '50' }, (k) => k, msgs)).toEqual({ port: 3100, ratePerDay: 50 });
    expect(settingsChanges(saved, { ...form, db: 'sqlite' }, (k) => k, msgs)).toEqual({ dbUrl: null });
    expect(settingsChanges({ ...saved, port: 0 }, { ...form, port: '0' }, (k) => k, msgs)).toEqual({});
  });
  it('refuses bad numbers and URLs with a message naming the field', () => {
    expect(settingsChanges(saved, { ...form, slots: '7' }, (k) => `F:${k}`, msgs)).toBe('F:slots 1-6');
    expect(settingsChanges(saved, { ...form, port: '12a' }, (k) => k, msgs)).toBe('port 1-65535');
    expect(settingsChanges(saved, { ...form, dbUrl: 'postgres://x' }, (k) => k, msgs)).toBe('bad url');
  });
});

describe('i18n and wording', () => {
  it('has every English key in Arabic, none empty', () => {
    for (const key of Object.keys(en)) expect((ar as Record<string, string>)[key], key).toBeTruthy();
    expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort());
  });
  it('defaults to the system language, a stored choice wins', () => {
    expect(detectLang(null, ['ar-JO', 'en-US'])).toBe('ar');
    expect(detectLang(null, ['fr-FR', 'en-GB'])).toBe('en');
    expect(detectLang(null, ['de'])).toBe('en');
    expect(detectLang('en', ['ar'])).toBe('en');
    expect(detectLang('ar', ['en'])).toBe('ar');
  });
  it('explains bridge errors by code with what to do next', () => {
    const t = translator('en');
    const e = explainError(new ApiError('RATE_LIMITED', 'x', 429, 42), t);
    expect(e.title).toBe(en.errRATE_LIMITED);
    expect(e.next).toContain('42 seconds');
    expect(explainError(new Error('boom'), t).code).toBe('INTERNAL');
    expect(explainError(new ApiError('NOT_CONNECTED', 'x', 409), translator('ar')).title).toBe(ar.errNOT_CONNECTED);
  });
  it('formats numbers, mutes and the pairing payload', () => {
    expect(formatPhone('962781523783@c.us')).toBe('+962781523783');
    expect(isMutedNow(-1)).toBe(true);
    expect(isMutedNow(0)).toBe(false);
    expect(isMutedNow(100, 200)).toBe(false);
    expect(JSON.parse(pairingPayload('http://192.168.1.5:3000', 'tok'))).toEqual({ url: 'http://192.168.1.5:3000', token: 'tok' });
    expect(JSON.parse(pairingPayload('https://192.168.1.5:3001', 'tok', 'AB:CD', null))).toEqual({ url: 'https://192.168.1.5:3001', token: 'tok', fingerprint: 'AB:CD' });
    // A cluster lists every node to move to; a single bridge's QR stays as it was.
    const nodes = [{ id: 'pc-b:91cd0e', url: 'https://192.168.1.6:3001', fingerprint: 'EF:01' }];
    expect(JSON.parse(pairingPayload('https://192.168.1.5:3001', 'tok', 'AB:CD', null, nodes))).toEqual({ url: 'https://192.168.1.5:3001', token: 'tok', fingerprint: 'AB:CD', nodes });
    expect(JSON.parse(pairingPayload('https://192.168.1.5:3001', 'tok', 'AB:CD', null, []))).not.toHaveProperty('nodes');
  });
});

describe('REST client', () => {
  const fake = (status: number, body: string, headers: Record<string, string> = {}) =>
    (async () => new Response(body, { status, headers })) as typeof fetch;
  it('turns the error envelope into an ApiError with the code and Retry-After', async () => {
    const api = createApi('t', '', fake(429, JSON.stringify({ success: false, error: { code: 'RATE_LIMITED', message: 'slow down' } }), { 'retry-after': '30' }));
    await expect(api.post('/api/send', {})).rejects.toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfter: 30 });
  });
  it('reports a non-JSON answer and a network failure in its own words', async () => {
    await expect(createApi('t', '', fake(502, '<html>')).get('/x')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await expect(createApi('t', '', down).get('/x')).rejects.toMatchObject({ code: 'NETWORK' });
  });
  it('sends the token in the apikey header', async () => {
    let seen: Headers | null = null;
    const api = createApi('secret', 'http://h', (async (_u: unknown, init?: RequestInit) => {
      seen = new Headers(init?.headers);
      return new Response('{"success":true}');
    }) as typeof fetch);
    await api.get('/api/slots', { slot: 1, skip: undefined });
    expect(seen!.get('apikey')).toBe('secret');
  });
  it('signed in by cookie: no apikey header, the CSRF header on every call, and a 401 reported as the session ending', async () => {
    const seen: Headers[] = [];
    let ended = 0;
    const api = createApi(null, '', (async (_u: unknown, init?: RequestInit) => {
      seen.push(new Headers(init?.headers));
      return seen.length === 1 ? new Response('{"success":true}') : new Response('{"success":false,"error":{"code":"UNAUTHORIZED","message":"ended"}}', { status: 401 });
    }) as typeof fetch, () => ended++);
    await api.post('/api/connect', { slot: 1 });
    await expect(api.get('/api/slots')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(seen.map((h) => [h.get('apikey'), h.get('x-wab-csrf')])).toEqual([
      [null, '1'],
      [null, '1'],
    ]);
    expect(ended).toBe(1);
  });
  it('migrates a kept token once: taken out of both storages, exchanged for the cookie', async () => {
    const store = (v: string | null) => {
      const m = new Map<string, string>(v ? [[OLD_TOKEN_KEY, v]] : []);
      return { getItem: (k: string) => m.get(k) ?? null, removeItem: (k: string) => void m.delete(k), m };
    };
    const posted: unknown[] = [];
    const client = createApi(null, '', (async (_u: unknown, init?: RequestInit) => {
      posted.push(JSON.parse(String(init?.body)));
      return new Response('{"success":true,"signedIn":true}');
    }) as typeof fetch);
    const local = store('old-token-0123456789');
    const session = store('other-token-0123456789');
    expect(await migrateStoredToken([local, session], client)).toBe(true);
    expect(posted).toEqual([{ token: 'old-token-0123456789' }]);
    expect([local.m.size, session.m.size]).toEqual([0, 0]);
    expect(await migrateStoredToken([local, session], client)).toBe(false); // nothing left: no second exchange
    expect(posted).toHaveLength(1);
    const refused = createApi(null, '', (async () => new Response('{"success":false,"error":{"code":"UNAUTHORIZED","message":"no"}}', { status: 401 })) as typeof fetch);
    const stale = store('stale-token-0123456789');
    expect(await migrateStoredToken([stale], refused)).toBe(false);
    expect(stale.m.size).toBe(0);
  });
});

describe('BridgeLink', () => {
  let wss: WebSocketServer | null = null;
  afterEach(() => new Promise<void>((r) => (wss ? wss.close(() => r()) : r())));

  function startServer(port = 0): Promise<number> {
    return new Promise((resolve) => {
      wss = new WebSocketServer({ host: '127.0.0.1', port }, () => resolve((wss!.address() as AddressInfo).port));
      wss.on('connection', (sock) => {
        sock.send(JSON.stringify({ type: 'status', slot: 1, ready: true, state: 'READY' }));
        sock.on('message', (raw) => {
          const f = JSON.parse(String(raw)) as { type: string; requestId: string };
          if (f.type === 'ping') sock.send(JSON.stringify({ type: 'ping', requestId: f.requestId, success: true, data: { pong: 1 } }));
          else sock.send(JSON.stringify({ type: f.type, requestId: f.requestId, success: false, error: { code: 'NOT_CONNECTED', message: 'no' } }));
        });
      });
    });
  }
  const factory = (url: string) => new NodeWebSocket(url) as unknown as SocketLike;
  const until = async (cond: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('delivers broadcasts, answers commands, and reconnects by itself after the server goes away', async () => {
    const port = await startServer();
    const link = new BridgeLink({ url: `ws://127.0.0.1:${port}/ws`, socketFactory: factory, backoffMs: [50, 100] });
    const events: string[] = [];
    const states: string[] = [];
    link.on((e) => events.push(e.type));
    link.onState((s) => states.push(s));
    link.start();
    await until(() => link.state === 'open' && events.length === 1);
    await expect(link.command('ping')).resolves.toEqual({ pong: 1 });
    await expect(link.command('send_message', { slot: 1 })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });

    for (const c of wss!.clients) c.terminate();
    await new Promise<void>((r) => wss!.close(() => r()));
    wss = null;
    await until(() => link.state === 'lost');
    await expect(link.command('ping')).rejects.toBeInstanceOf(ApiError);

    await startServer(port);
    await until(() => link.state === 'open' && events.length === 2);
    expect(states).toEqual(['connecting', 'open', 'lost', 'open']);
    link.stop();
    expect(link.state).toBe('closed');
  });

  it('builds the socket URL with the token, ws or wss by page protocol', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:3000' }, 'a b')).toBe('ws://127.0.0.1:3000/ws?token=a%20b&client=admin-app');
    expect(socketUrl({ protocol: 'https:', host: 'h' }, 't')).toBe('wss://h/ws?token=t&client=admin-app');
    // Signed in by the session cookie: no token on the URL at all.
    expect(socketUrl({ protocol: 'https:', host: 'h' })).toBe('wss://h/ws?client=admin-app');
  });
});
