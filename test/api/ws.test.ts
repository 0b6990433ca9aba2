import path from 'node:path';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSlot, startBridge, WsClient, type TestBridge } from '../helpers/bridge.js';

describe('WebSocket', () => {
  let t: TestBridge;
  let ws: WsClient;
  beforeAll(async () => {
    t = await startBridge({ slots: 2, bodyLimitBytes: 64 * 1024 });
    await connectSlot(t, 1);
    ws = await WsClient.open(t.bridge.url, t.token);
  });
  afterAll(async () => {
    ws.close();
    await t.stop();
  });

  it('ping → pong with the server time, requestId echoed', async () => {
    const reply = await ws.command('ping');
    expect(reply).toEqual({ type: 'ping', requestId: expect.any(String), success: true, data: { pong: expect.any(Number) } });
  });

  it('bad frames get an error reply and the socket stays open', async () => {
    ws.ws.send('not json');
    const err = await ws.waitFrame((f) => f.type === 'error');
    expect(err).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    const unknown = await ws.command('fly_to_moon');
    expect(unknown).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('fly_to_moon') } });
    ws.ws.send(JSON.stringify({ type: 'ping', requestId: 'big', pad: 'x'.repeat(70 * 1024) }));
    const big = await ws.waitFrame((f) => f.requestId === 'big');
    expect(big).toMatchObject({ success: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(ws.ws.readyState).toBe(WebSocket.OPEN);
    expect((await ws.command('ping')).success).toBe(true);
  });

  it('validates command fields with the API error codes', async () => {
    expect((await ws.command('get_conversations', { slot: 'x' })).error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((await ws.command('get_conversations', { slot: 9 })).error).toMatchObject({ code: 'INVALID_SLOT' });
    expect((await ws.command('get_conversations', { slot: 2 })).error).toMatchObject({ code: 'NOT_CONNECTED' });
    expect((await ws.command('send_message', { slot: 1, phone: '1', message: 'x' })).error).toMatchObject({ code: 'INVALID_NUMBER' });
    expect((await ws.command('send_message', { slot: 1, phone: '15550300001', message: 'x'.repeat(4097) })).error).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('get_conversations, get_messages with before, search_conversations, mark_read', async () => {
    const convs = await ws.command('get_conversations', { slot: 1, limit: 10 });
    expect(convs.success).toBe(true);
    const rows = convs.data as { chatId: string; name: string }[];
    expect(rows[0]).toEqual(expect.objectContaining({ chatId: expect.any(String), isMuted: expect.any(Boolean), muteExpiration: expect.any(Number) }));
    const found = await ws.command('search_conversations', { slot: 1, query: 'sarah' });
    expect((found.data as { name: string }[]).map((c) => c.name)).toEqual(['Sarah Jones']);
    const byNumber = await ws.command('search_conversations', { slot: 1, query: '9627815' });
    expect((byNumber.data as { chatId: string }[])[0]!.chatId).toBe('962781523783@c.us');
    expect((await ws.command('mark_read', { slot: 1, chatId: '962781523783@c.us' })).data).toEqual({ ok: true });
    await ws.command('send_message', { slot: 1, chatId: '447700900123@c.us', message: 'one' });
    await ws.command('send_message', { slot: 1, chatId: '447700900123@c.us', message: 'two' });
    const msgs = await ws.command('get_messages', { slot: 1, chatId: '447700900123@c.us', limit: 1 });
    const newest = (msgs.data as { id: string; body: string }[])[0]!;
    expect(newest.body).toBe('two');
    const older = await ws.command('get_messages', { slot: 1, chatId: '447700900123@c.us', limit: 1, before: newest.id });
    expect((older.data as { body: string }[])[0]!.body).toBe('one');
  });

  it('send_message broadcasts new_message, acks 2→3→4 and the echo as an incoming message', async () => {
    const reply = await ws.command('send_message', { slot: 1, phone: '15550300002', message: 'ping me' });
    const { messageId } = reply.data as { messageId: string };
    expect(messageId).toMatch(/^true_15550300002@c\.us_/);
    const echo = await ws.waitFrame((f) => f.type === 'new_message' && (f.message as { body: string }).body === 'Echo: ping me');
    expect(echo).toMatchObject({ slot: 1, message: { chatId: '15550300002@c.us', fromMe: 0, type: 'chat', hasMedia: 0 } });
    await ws.waitFrame((f) => f.type === 'message_ack' && f.messageId === messageId && f.ack === 4);
    const acks = ws.frames.filter((f) => f.type === 'message_ack' && f.messageId === messageId).map((f) => f.ack);
    expect(acks).toEqual([2, 3, 4]);
    expect(ws.frames.find((f) => f.type === 'message_ack' && f.messageId === messageId)).toEqual({
      type: 'message_ack', slot: 1, chatId: '15550300002@c.us', messageId, ack: 2, seq: expect.any(Number),
    });
  });

  it('send_media over the socket, and a poll vote arrives as poll_vote', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const media = await ws.command('send_media', { slot: 1, phone: '15550300003', base64: png, mimetype: 'image/png', caption: 'hi' });
    expect(media.data).toEqual({ messageId: expect.any(String) });
    const poll = await t.http
      .post('/api/send-poll')
      .set('apikey', t.token)
      .send({ slot: 1, phone: '15550300003', question: 'Tea?', options: ['Yes', 'No'], allowMultiple: true });
    const created = await ws.waitFrame((f) => f.type === 'new_message' && (f.message as { id: string }).id === poll.body.messageId);
    expect(created.message).toMatchObject({ type: 'poll', body: 'Tea?', pollOptions: ['Yes', 'No'] });
    const vote = await ws.waitFrame((f) => f.type === 'poll_vote' && f.messageId === poll.body.messageId);
    expect(vote).toEqual({
      type: 'poll_vote', slot: 1, chatId: '15550300003@c.us', messageId: poll.body.messageId, voter: '15550300003@c.us', selectedOptions: ['Yes'], timestamp: expect.any(Number), seq: expect.any(Number),
    });
  });

  it('subscribe filters broadcasts by slot', async () => {
    const other = await WsClient.open(t.bridge.url, t.token);
    expect((await other.command('subscribe', { slots: [2] })).data).toEqual({ slots: [2] });
    expect((await other.command('subscribe', { slots: [9] })).error).toMatchObject({ code: 'INVALID_SLOT' });
    await ws.command('send_message', { slot: 1, phone: '15550300004', message: 'slot one only' });
    await ws.waitFrame((f) => f.type === 'message_ack' && f.ack === 2 && f.chatId === '15550300004@c.us');
    expect(other.frames.filter((f) => f.type === 'new_message' || f.type === 'message_ack')).toEqual([]);
    expect((await other.command('subscribe', { slots: [] })).data).toEqual({ slots: [1, 2] });
    other.close();
  });

  it('register_fcm stores the token for the caller', async () => {
    const device = await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'Till phone' }).expect(201);
    const phone = await WsClient.open(t.bridge.url, device.body.token as string);
    try {
      const token = `fcm_${'x'.repeat(40)}`;
      // deviceId names another device: the push identity is still the caller's own.
      const reply = await phone.command('register_fcm', { token, platform: 'android', deviceId: 'someone-else' });
      expect(reply.data).toEqual({ registered: true });
      expect((await phone.command('register_fcm', {})).error).toMatchObject({ code: 'VALIDATION_ERROR' });
      const db = new Database(path.join(t.dataDir, 'bridge.db'), { readonly: true });
      try {
        const rows = db.prepare('SELECT device_id, token, platform FROM push_registrations').all();
        expect(rows).toEqual([{ device_id: device.body.deviceId, token, platform: 'android' }]);
      } finally {
        db.close();
      }
    } finally {
      phone.close();
    }
  });
});

describe('WebSocket on stop', () => {
  it('a client that never answers the close handshake does not hold up the stop', async () => {
    const t = await startBridge();
    const silent = await WsClient.open(t.bridge.url, t.token);
    (silent.ws as unknown as { _socket: { pause(): void } })._socket.pause(); // reads nothing, answers nothing
    const started = Date.now();
    await t.stop();
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
