// Lenient where it is safe: a slot given as a numeric string is accepted; a wrong type gets an
// error naming the field and the type it should be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSlot, startBridge, WsClient, type TestBridge } from '../helpers/bridge.js';

describe('lenient slot, clear validation errors', () => {
  let t: TestBridge;
  let ws: WsClient;
  const post = (route: string, body: unknown) => t.http.post(route).set('apikey', t.token).send(body as object);

  beforeAll(async () => {
    t = await startBridge({ slots: 2 });
    await connectSlot(t, 1);
    ws = await WsClient.open(t.bridge.url, t.token);
  });
  afterAll(async () => {
    ws.close();
    await t.stop();
  });

  it('accepts slot "1" over REST and the WebSocket', async () => {
    const sent = await post('/api/send', { slot: '1', phone: '962781523783', message: 'hi' }).expect(200);
    expect(sent.body.messageId).toMatch(/^true_/);
    await post('/api/connect', { slot: ' 2 ' }).expect(200);
    const chats = await ws.command('get_conversations', { slot: '1', limit: 2 });
    expect(chats).toMatchObject({ success: true, data: expect.any(Array) });
    expect((await ws.command('subscribe', { slots: ['1', 2] })).data).toEqual({ slots: [1, 2] });
  });

  it.each([
    [{ slot: 'one', phone: '962781523783', message: 'x' }, 'slot must be a number such as 1, not the text "one"'],
    [{ slot: true, phone: '962781523783', message: 'x' }, 'slot must be a number such as 1, not the value true'],
    [{ slot: [1], phone: '962781523783', message: 'x' }, 'slot must be a number such as 1, not a list'],
    [{ slot: 1.5, phone: '962781523783', message: 'x' }, 'slot must be a whole number'],
    [{ phone: '962781523783', message: 'x' }, 'slot is required'],
    [{ slot: 1, phone: '962781523783', message: 42 }, 'message must be text, not the number 42'],
    [{ slot: 1, phone: 962781523783, message: 'x' }, 'phone must be text, not the number 962781523783'],
    [{ slot: 1, phone: '962781523783', message: 'x', queue: 'yes' }, 'queue must be true or false, not the text "yes"'],
  ])('names the field and the type it wants: %j', async (body, message) => {
    const res = await post('/api/send', body).expect(400);
    expect(res.body).toEqual({ success: false, error: { code: 'VALIDATION_ERROR', message } });
  });

  it('gives the same wording on the WebSocket, and a slot string out of range is INVALID_SLOT', async () => {
    const reply = await ws.command('get_messages', { slot: 'x', chatId: '962781523783@c.us' });
    expect(reply.error).toEqual({ code: 'VALIDATION_ERROR', message: 'slot must be a number such as 1, not the text "x"' });
    expect((await ws.command('get_messages', { slot: 1, chatId: 5 })).error).toEqual({ code: 'VALIDATION_ERROR', message: 'chatId must be text, not the number 5' });
    expect((await post('/api/send', { slot: '9', phone: '962781523783', message: 'x' }).expect(400)).body.error.code).toBe('INVALID_SLOT');
  });
});
