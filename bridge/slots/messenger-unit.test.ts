// The one send path with a scripted engine and the real local stores (the fault cases are in
// messenger.test.ts): targets, idempotency,
// rate limits (refunds), the durable outbox and its drain, and a send interrupted by a crash.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BridgeError } from '../domain/index.js';
import { closeMessengerKits, messengerKit as setup, sent } from './testing.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVQI12P8z8DwnwEJMDGgAcIMAFgUAf9ufZAyAAAAAElFTkSuQmCC';
afterEach(closeMessengerKits);

const text = (t: string) => ({ kind: 'text' as const, text: t });

describe('Messenger', () => {
  it('sends text to a phone (resolved on WhatsApp) or a chat id, with a quoted message', async () => {
    const t = setup();
    expect(await t.messenger.send({ slot: 1, phone: '+962 7 8152 3783', content: text('hi') })).toEqual({ messageId: 'true_962781523783@c.us_1' });
    expect(t.engine.resolvePhone).toHaveBeenCalledWith('962781523783');
    await t.messenger.send({ slot: 1, chatId: '120363025246125486@g.us', content: { kind: 'text', text: 'group', quotedMessageId: 'q1' } });
    expect(t.engine.sendText).toHaveBeenLastCalledWith('120363025246125486@g.us', 'group', { quotedMessageId: 'q1' });
    expect(t.events.onSent).toHaveBeenCalledTimes(2);
    expect(t.events.onSent.mock.calls[0]![0]).toBe(1);
  });

  it('refuses bad targets with the API codes', async () => {
    const t = setup();
    await expect(t.messenger.send({ slot: 1, chatId: 'nonsense', content: text('x') })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('chatId') });
    await expect(t.messenger.send({ slot: 1, content: text('x') })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('phone is required') });
    await expect(t.messenger.send({ slot: 1, phone: '12', content: text('x') })).rejects.toMatchObject({ code: 'INVALID_NUMBER' });
    await expect(t.messenger.send({ slot: 1, phone: '15550190000', content: text('x') })).rejects.toMatchObject({ code: 'INVALID_NUMBER', message: '15550190000 is not on WhatsApp' });
    await expect((async () => t.messenger.send({ slot: 2, phone: '962781523783', content: text('x') }))()).rejects.toMatchObject({ code: 'INVALID_SLOT' });
    expect(t.engine.sendText).not.toHaveBeenCalled();
  });

  it('a number not on WhatsApp gives its rate-limit point back; a sent one does not', async () => {
    const t = setup({ perMinute: 2 });
    for (let i = 0; i < 3; i++) await expect(t.messenger.send({ slot: 1, phone: '15550190000', content: text('x') })).rejects.toMatchObject({ code: 'INVALID_NUMBER' });
    await t.messenger.send({ slot: 1, phone: '962781523783', content: text('1') });
    await t.messenger.send({ slot: 1, phone: '962781523783', content: text('2') });
    await expect(t.messenger.send({ slot: 1, phone: '962781523783', content: text('3') })).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
  });

  it('a send WhatsApp failed keeps its rate-limit point (it may have gone out); only INVALID_NUMBER gives it back', async () => {
    const t = setup({ perMinute: 1 });
    t.engine.sendText.mockRejectedValueOnce(new Error('page crashed'));
    await expect(t.messenger.send({ slot: 1, phone: '962781523783', content: text('x') })).rejects.toMatchObject({ code: 'SEND_FAILED' });
    await expect(t.messenger.send({ slot: 1, phone: '962781523783', content: text('x') })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    t.engine.sendText.mockRejectedValueOnce(new BridgeError('NOT_CONNECTED', 'slot 1 is not ready (reconnecting)'));
    await expect(t.messenger.send({ slot: 1, phone: '962790000001', content: text('y') })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await expect(t.messenger.send({ slot: 1, phone: '962790000001', content: text('y') })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(t.engine.sendText).toHaveBeenCalledTimes(2);
  });

  it('wraps an engine failure as SEND_FAILED and counts it', async () => {
    const t = setup();
    t.engine.sendText.mockRejectedValueOnce(new Error('page crashed'));
    await expect(t.messenger.send({ slot: 1, chatId: '962781523783@c.us', content: text('x') })).rejects.toMatchObject({
      code: 'SEND_FAILED',
      message: 'WhatsApp did not accept the message: page crashed',
    });
    t.engine.sendText.mockRejectedValueOnce(new BridgeError('RATE_LIMITED', 'own'));
    await expect(t.messenger.send({ slot: 1, chatId: '962781523783@c.us', content: text('x') })).rejects.toMatchObject({ code: 'RATE_LIMITED', message: 'own' });
    expect(t.events.onFailed).toHaveBeenCalledTimes(2);
    expect(t.events.onSent).not.toHaveBeenCalled();
  });

  it('sends media checked against its bytes (voice notes for ogg/opus) and polls', async () => {
    const t = setup();
    await t.messenger.send({ slot: 1, chatId: '962781523783@c.us', content: { kind: 'media', media: { base64: `data:image/png;base64,${PNG}`, mimetype: 'image/png', caption: 'pic' } } });
    expect(t.engine.sendMedia).toHaveBeenCalledWith('962781523783@c.us', { base64: PNG, mimetype: 'image/png', caption: 'pic', asVoice: false });
    await expect(
      t.messenger.send({ slot: 1, chatId: '962781523783@c.us', content: { kind: 'media', media: { base64: PNG, mimetype: 'image/png', asVoice: true } } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: 'asVoice: only audio can be sent as a voice note' });
    await t.messenger.send({ slot: 1, chatId: '962781523783@c.us', content: { kind: 'poll', poll: { question: 'Lunch?', options: ['a', 'b'], allowMultiple: false } } });
    expect(t.engine.sendPoll).toHaveBeenCalledWith('962781523783@c.us', { question: 'Lunch?', options: ['a', 'b'], allowMultiple: false });
  });

  it('idempotencyKey: concurrent and later retries get the first result; another slot key is separate', async () => {
    const t = setup();
    const req = { slot: 1, phone: '962781523783', content: text('once'), idempotencyKey: 'order-1' };
    const [a, b] = await Promise.all([t.messenger.send(req), t.messenger.send(req)]);
    const c = await t.messenger.send(req);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(t.engine.sendText).toHaveBeenCalledTimes(1);
    await t.messenger.send({ ...req, idempotencyKey: 'order-2' });
    expect(t.engine.sendText).toHaveBeenCalledTimes(2);
    t.engine.sendText.mockRejectedValueOnce(new Error('boom'));
    await expect(t.messenger.send({ ...req, idempotencyKey: 'order-3' })).rejects.toMatchObject({ code: 'SEND_FAILED' });
    await t.messenger.send({ ...req, idempotencyKey: 'order-3' }); // a failure is not remembered
    expect(t.engine.sendText).toHaveBeenCalledTimes(4);
  });

  it('queues while the slot is down (only when asked) and drains in order once ready', async () => {
    const t = setup({ ready: false });
    await expect(t.messenger.send({ slot: 1, phone: '962781523783', content: text('now') })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    const first = await t.messenger.send({ slot: 1, phone: '962781523783', content: text('first'), queue: true });
    const second = await t.messenger.send({ slot: 1, chatId: '447700900123@c.us', content: text('second'), queue: true });
    expect(first).toEqual({ queued: true, outboxId: expect.any(String) });
    expect(await t.messenger.outboxSize()).toBe(2);
    await t.messenger.drain(1); // still down: nothing happens
    expect(t.engine.sendText).not.toHaveBeenCalled();
    t.slot.ready = true;
    await t.messenger.drain(1);
    expect(t.engine.sendText.mock.calls.map((c) => c[1])).toEqual(['first', 'second']);
    expect(t.events.onOutboxSent.mock.calls.map((c) => c[1])).toEqual([(first as { outboxId: string }).outboxId, (second as { outboxId: string }).outboxId]);
    expect(await t.messenger.outboxSize()).toBe(0);
  });

  it('an entry discarded while the drain runs is not sent; the rest still go', async () => {
    const t = setup({ ready: false });
    const ids: string[] = [];
    for (const body of ['first', 'dropped', 'third']) {
      ids.push(((await t.messenger.send({ slot: 1, phone: '962781523783', content: text(body), queue: true })) as { outboxId: string }).outboxId);
    }
    // The admin discards the second while the first is being sent (the drain listed all three before).
    t.engine.sendText.mockImplementationOnce(async (chatId: string, body: string) => {
      expect(await t.outbox.discard(ids[1]!)).toBe(true);
      return sent(chatId, body, 1);
    });
    t.slot.ready = true;
    await t.messenger.drain(1);
    expect(t.engine.sendText.mock.calls.map((c) => c[1])).toEqual(['first', 'third']);
    expect(await t.messenger.outboxStatus(ids[1]!)).toBeNull();
    expect(await t.messenger.outboxSize()).toBe(0);
  });

  it('a queued message that cannot be delivered is marked failed and reported; the rest still go', async () => {
    const t = setup({ ready: false });
    const bad = await t.messenger.send({ slot: 1, phone: '15550190000', content: text('nobody'), queue: true });
    await t.messenger.send({ slot: 1, phone: '962781523783', content: text('somebody'), queue: true });
    t.slot.ready = true;
    await t.messenger.drain(1);
    expect(t.events.onOutboxFailed).toHaveBeenCalledWith(1, (bad as { outboxId: string }).outboxId, '15550190000 is not on WhatsApp');
    expect(t.engine.sendText.mock.calls.map((c) => c[1])).toEqual(['somebody']);
  });

  it('stops draining when the slot goes away mid-drain and keeps the entry pending', async () => {
    const t = setup({ ready: false });
    await t.messenger.send({ slot: 1, phone: '962781523783', content: text('a'), queue: true });
    await t.messenger.send({ slot: 1, phone: '962781523783', content: text('b'), queue: true });
    t.slot.ready = true;
    t.engine.sendText.mockImplementationOnce(async () => {
      t.slot.ready = false;
      throw new BridgeError('NOT_CONNECTED', 'gone');
    });
    await t.messenger.drain(1);
    expect((await t.outbox.unfinished(1)).map((e) => e.status)).toEqual(['pending', 'pending']);
    expect(t.events.onOutboxFailed).not.toHaveBeenCalled();
  });

  it('the browser dying mid-drain (slot still READY) stops the drain: the rest stay queued, none marked failed', async () => {
    const t = setup({ ready: false });
    for (const body of ['a', 'b', 'c', 'd', 'e']) await t.messenger.send({ slot: 1, phone: '962781523783', content: text(body), queue: true });
    t.slot.ready = true;
    // After 'a' the browser is gone: every call throws as puppeteer does, and the page no longer answers.
    let gone = false;
    t.engine.sendText.mockImplementation(async (chatId: string, body: string) => {
      if (gone) throw new Error('Protocol error (Runtime.callFunctionOn): Target closed.');
      gone = true;
      return sent(chatId, body, 1);
    });
    t.engine.getState.mockImplementation(async () => {
      if (gone) throw new Error('Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has been closed.');
      return 'CONNECTED';
    });
    await t.messenger.drain(1);
    expect(t.engine.sendText).toHaveBeenCalledTimes(2);
    expect(t.events.onOutboxFailed).not.toHaveBeenCalled();
    expect((await t.outbox.unfinished(1)).map((e) => e.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
    // The next connection sends the rest; 'b' (whose send was under way) is looked for in the chat first.
    gone = false;
    t.engine.sendText.mockImplementation(async (chatId: string, body: string) => sent(chatId, body, 10 + body.charCodeAt(0)));
    await t.messenger.drain(1);
    expect(t.engine.getMessages).toHaveBeenCalledTimes(1);
    expect(t.engine.sendText.mock.calls.slice(2).map((c) => c[1])).toEqual(['b', 'c', 'd', 'e']);
    expect(await t.messenger.outboxSize()).toBe(0);
  });

  it('a send the page refuses while it still answers CONNECTED is marked failed; the drain goes on', async () => {
    const t = setup({ ready: false });
    const bad = (await t.messenger.send({ slot: 1, phone: '962781523783', content: text('refused'), queue: true })) as { outboxId: string };
    await t.messenger.send({ slot: 1, phone: '962781523783', content: text('fine'), queue: true });
    t.slot.ready = true;
    t.engine.sendText.mockRejectedValueOnce(new Error('Evaluation failed: message refused'));
    await t.messenger.drain(1);
    expect(t.events.onOutboxFailed).toHaveBeenCalledWith(1, bad.outboxId, 'WhatsApp did not accept the message: Evaluation failed: message refused');
    expect(t.engine.sendText.mock.calls.map((c) => c[1])).toEqual(['refused', 'fine']);
    expect(await t.messenger.outboxSize()).toBe(0);
  });

  it('a send interrupted by a crash is recognised in the chat instead of sent twice', async () => {
    const t = setup({ ready: false });
    const q = (await t.messenger.send({ slot: 1, phone: '962781523783', content: text('maybe sent'), queue: true })) as { outboxId: string };
    t.outbox.markSending(q.outboxId, Date.now());
    t.engine.getMessages.mockResolvedValueOnce([
      { ...sent('962781523783@c.us', 'maybe sent', 99), fromMe: 0 as const, id: 'not-mine' },
      sent('962781523783@c.us', 'maybe sent', 42),
    ]);
    t.slot.ready = true;
    await t.messenger.drain(1);
    expect(t.engine.sendText).not.toHaveBeenCalled();
    expect(t.events.onOutboxSent).toHaveBeenCalledWith(1, q.outboxId, 'true_962781523783@c.us_42');
  });

  it('queues while a linked slot reconnects only when the caller allows it; queue:false never queues', async () => {
    const t = setup({ ready: false });
    const to = { slot: 1, chatId: '962781523783@c.us', content: text('x') };
    await expect(t.messenger.send({ ...to, queueWhileReconnecting: true })).rejects.toMatchObject({ code: 'NOT_CONNECTED' }); // not linked: QR or stopped
    t.slot.reconnecting = true;
    await expect(t.messenger.send(to)).rejects.toMatchObject({ code: 'NOT_CONNECTED' }); // WebSocket default: no queue
    await expect(t.messenger.send({ ...to, queue: false, queueWhileReconnecting: true })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    expect(await t.messenger.send({ ...to, queueWhileReconnecting: true })).toEqual({ queued: true, outboxId: expect.any(String) });
    expect(await t.messenger.outboxSize(1)).toBe(1);
  });

  it('a queued send counts against the rate limit, and its status can be asked', async () => {
    const t = setup({ ready: false, perMinute: 1 });
    const q = (await t.messenger.send({ slot: 1, phone: '962781523783', content: text('1'), queue: true })) as { outboxId: string };
    await expect(t.messenger.send({ slot: 1, phone: '962781523783', content: text('2'), queue: true })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(await t.messenger.outboxStatus(q.outboxId)).toMatchObject({ status: 'pending' });
    expect(await t.messenger.outboxStatus('no-such-entry')).toBeNull();
    t.slot.ready = true;
    await t.messenger.drain(1);
    expect(await t.messenger.outboxStatus(q.outboxId)).toMatchObject({ status: 'sent' });
  });

  it('a keyed send that was queued answers the same outbox id when retried', async () => {
    const t = setup({ ready: false });
    const req = { slot: 1, phone: '962781523783', content: text('later'), queue: true, idempotencyKey: 'k-queued' };
    const first = await t.messenger.send(req);
    expect(await t.messenger.send(req)).toEqual(first);
    expect(await t.messenger.outboxSize(1)).toBe(1);
  });

  it('two drains at once send each entry once', async () => {
    const t = setup({ ready: false });
    for (const m of ['a', 'b', 'c']) await t.messenger.send({ slot: 1, phone: '962781523783', content: text(m), queue: true });
    t.slot.ready = true;
    await Promise.all([t.messenger.drain(1), t.messenger.drain(1)]);
    expect(t.engine.sendText.mock.calls.map((c) => c[1])).toEqual(['a', 'b', 'c']);
  });

  it('tells the archive what was sent, with the content', async () => {
    const t = setup();
    const content = { kind: 'poll' as const, poll: { question: 'Which day?', options: ['Sat', 'Sun'], allowMultiple: false } };
    await t.messenger.send({ slot: 1, chatId: '962781523783@c.us', content });
    expect(t.events.onSent).toHaveBeenCalledWith(1, expect.objectContaining({ body: 'Which day?', type: 'poll' }), content);
  });

  it('after a crash, only a recent message of mine with the same text and not another send of ours counts as sent', async () => {
    const t = setup({ ready: false });
    const q = (await t.messenger.send({ slot: 1, phone: '962781523783', content: text('same words'), queue: true })) as { outboxId: string };
    const attempted = Date.now();
    t.outbox.markSending(q.outboxId, attempted);
    const old = { ...sent('962781523783@c.us', 'same words', 7), timestamp: Math.floor(attempted / 1000) - 60 };
    const other = sent('962781523783@c.us', 'other words', 8);
    t.engine.getMessages.mockResolvedValueOnce([old, other]);
    t.slot.ready = true;
    await t.messenger.drain(1);
    // Neither counts: it is sent now.
    expect(t.engine.sendText.mock.calls.map((c) => c[1])).toEqual(['same words']);
    expect(t.engine.getMessages).toHaveBeenCalledWith('962781523783@c.us', 50);
  });

  it('after a crash, a poll or a captioned picture is recognised by its question or caption', async () => {
    const t = setup({ ready: false });
    const poll = { kind: 'poll' as const, poll: { question: 'Open on Friday?', options: ['Yes', 'No'], allowMultiple: false } };
    const q = (await t.messenger.send({ slot: 1, chatId: '962781523783@c.us', content: poll, queue: true })) as { outboxId: string };
    t.outbox.markSending(q.outboxId, Date.now());
    t.engine.getMessages.mockResolvedValueOnce([{ ...sent('962781523783@c.us', 'Open on Friday?', 5), type: 'poll' }]);
    t.slot.ready = true;
    await t.messenger.drain(1);
    expect(t.engine.sendPoll).not.toHaveBeenCalled();
    expect(t.events.onOutboxSent).toHaveBeenCalledWith(1, q.outboxId, 'true_962781523783@c.us_5');
  });
});
