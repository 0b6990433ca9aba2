import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSlot, startBridge, waitFor, WsClient, type TestBridge } from '../helpers/bridge.js';

describe('chats and archive', () => {
  let t: TestBridge;
  const get = (route: string, query: Record<string, unknown>) => t.http.get(route).query(query).set('apikey', t.token);

  beforeAll(async () => {
    t = await startBridge({ slots: 2 });
    await connectSlot(t, 1);
  });
  afterAll(() => t.stop());

  it('lists live conversations newest first, with the muted chat flagged', async () => {
    const res = await get('/api/chats', { slot: 1 }).expect(200);
    const chats = res.body.data as { chatId: string; isMuted: boolean; timestamp: number; muteExpiration: number }[];
    expect(chats.length).toBeGreaterThan(2);
    expect(Object.keys(chats[0]!)).toEqual(['chatId', 'name', 'isGroup', 'unreadCount', 'timestamp', 'lastMessage', 'isMuted', 'muteExpiration']);
    expect(chats.map((c) => c.timestamp)).toEqual([...chats.map((c) => c.timestamp)].sort((a, b) => b - a));
    expect(chats.find((c) => c.isMuted)).toMatchObject({ muteExpiration: -1 });
  });

  it('reads messages, marks read, gets an avatar (or null)', async () => {
    const msgs = await get('/api/messages', { slot: 1, chatId: '962781523783@c.us' }).expect(200);
    expect(msgs.body.data[0]).toMatchObject({ chatId: '962781523783@c.us', fromMe: 0, hasMedia: 0, type: 'chat' });
    await get('/api/messages', { slot: 1, chatId: '1111111@c.us' }).expect(404);
    const read = await t.http.post('/api/mark-read').set('apikey', t.token).send({ slot: 1, chatId: '962781523783@c.us' }).expect(200);
    expect(read.body).toEqual({ success: true, ok: true });
    const chats = await get('/api/chats', { slot: 1 });
    expect(chats.body.data.find((c: { chatId: string }) => c.chatId === '962781523783@c.us').unreadCount).toBe(0);
    const avatar = await get('/api/avatar', { slot: 1, phone: '962781523783' }).expect(200);
    expect(avatar.body).toEqual({ success: true, avatarUrl: expect.stringMatching(/^https:\/\//) });
    const hidden = await get('/api/avatar', { slot: 1, phone: '447700900122' }).expect(200);
    expect(hidden.body).toEqual({ success: true, avatarUrl: null });
    await get('/api/avatar', { slot: 1, phone: '12' }).expect(400);
  });

  it('archives sent and echoed messages; pagination newest first with the seed fields', async () => {
    for (const text of ['first preferred', 'second', 'third']) {
      await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '15550200001', message: text }).expect(200);
    }
    const chatId = '15550200001@c.us';
    await waitFor(async () => (await get('/api/archive', { slot: 1, chatId })).body.data?.length >= 6, 10_000, 'echoes archived');
    const page = await get('/api/archive', { slot: 1, chatId, limit: 2, offset: 0 }).expect(200);
    expect(page.body).toMatchObject({ success: true, slot: 1, chatId });
    expect(page.body.data).toHaveLength(2);
    const row = page.body.data[0];
    expect(Object.keys(row).slice(0, 7)).toEqual(['id', 'body', 'fromMe', 'timestamp', 'type', 'hasMedia', 'senderName']);
    expect(typeof row.fromMe).toBe('number');
    expect(typeof row.hasMedia).toBe('number');
    const all = await get('/api/archive', { slot: 1, chatId, limit: 500 });
    const ts = all.body.data.map((m: { timestamp: number }) => m.timestamp);
    expect(ts).toEqual([...ts].sort((a: number, b: number) => b - a));
    const past = await get('/api/archive', { slot: 1, chatId, offset: 1000 }).expect(200);
    expect(past.body.data).toEqual([]);
  });

  it('searches the archive; empty queries are refused; operators never break it', async () => {
    await waitFor(async () => (await get('/api/archive/search', { slot: 1, query: 'preferred' })).body.data?.length > 0, 10_000, 'search hit');
    const res = await get('/api/archive/search', { slot: 1, query: 'preferred', limit: 50 }).expect(200);
    expect(res.body).toMatchObject({ success: true, slot: 1, query: 'preferred' });
    expect(res.body.data[0].body).toContain('preferred');
    for (const query of ['', '   ']) expect((await get('/api/archive/search', { slot: 1, query }).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    for (const query of ['"unbalanced', 'a*', '-x', '+y', '(z', 'NEAR(', "'; DROP TABLE messages; --", '%_']) {
      await get('/api/archive/search', { slot: 1, query }).expect(200);
    }
    const across = await get('/api/archive/search', { query: 'preferred' }).expect(200);
    expect(across.body.data[0]).toMatchObject({ slot: 1 });
  });

  it('a device may not search all slots at once', async () => {
    const dev = await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'p' });
    const res = await t.http.get('/api/archive/search').query({ query: 'x' }).set('apikey', dev.body.token).expect(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('poll votes are archived and tallied', async () => {
    const poll = await t.http
      .post('/api/send-poll')
      .set('apikey', t.token)
      .send({ slot: 1, phone: '15550200002', question: 'Lunch?', options: ['Yes', 'No'] })
      .expect(200);
    const tally = await waitFor(async () => {
      const r = await get('/api/poll-votes', { slot: 1, messageId: poll.body.messageId });
      return r.body.data?.votes?.length ? r.body.data : null;
    }, 10_000, 'poll vote archived');
    expect(tally.votes[0]).toMatchObject({ voter: '15550200002@c.us', selectedOptions: ['Yes'] });
    const search = await get('/api/archive/search', { slot: 1, query: 'lunch' }).expect(200);
    expect(search.body.data[0]).toMatchObject({ type: 'poll', body: 'Lunch?', pollOptions: ['Yes', 'No'] });
  });

  it('numbers a burst sent within one second in order: REST live, archive and WebSocket agree', async () => {
    const ws = await WsClient.open(t.bridge.url, t.token);
    const phone = '15550200003';
    const chatId = `${phone}@c.us`;
    const send = (route: string, body: Record<string, unknown>) =>
      t.http.post(route).set('apikey', t.token).send({ slot: 1, phone, ...body }).expect(200);
    // Start just after a second begins so the whole burst shares its timestamp.
    await waitFor(() => Date.now() % 1000 < 50, 2000, 'a fresh second');
    const sent = [
      (await send('/api/send', { message: 'burst text' })).body.messageId,
      (await send('/api/send-media', { base64: Buffer.from('%PDF-1.4 burst').toString('base64'), mimetype: 'application/pdf', filename: 'burst.pdf' })).body.messageId,
      (await send('/api/send-poll', { question: 'Burst?', options: ['A', 'B'] })).body.messageId,
    ] as string[];
    type Row = { id: string; seq: number; timestamp: number };
    const live = ((await get('/api/messages', { slot: 1, chatId })).body.data as Row[]).filter((m) => sent.includes(m.id));
    expect(new Set(live.map((m) => m.timestamp)).size).toBe(1);
    expect(live.map((m) => m.id)).toEqual([...sent].reverse());
    expect(live.map((m) => m.seq)).toEqual([...live.map((m) => m.seq)].sort((a, b) => b - a));
    const archived = await waitFor(async () => {
      const rows = ((await get('/api/archive', { slot: 1, chatId })).body.data as Row[]).filter((m) => sent.includes(m.id));
      return rows.length === 3 ? rows : null;
    }, 10_000, 'burst archived');
    expect(archived).toEqual(live.map((m) => expect.objectContaining({ id: m.id, seq: m.seq })));
    const frames = await waitFor(() => {
      const f = ws.frames.filter((x) => x.type === 'new_message' && sent.includes((x.message as Row).id));
      return f.length === 3 ? f : null;
    }, 10_000, 'burst broadcast');
    expect(frames.map((f) => [(f.message as Row).id, (f.message as Row).seq])).toEqual([...live].reverse().map((m) => [m.id, m.seq]));
    ws.close();
  });
});
