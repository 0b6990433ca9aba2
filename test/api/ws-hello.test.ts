// What a phone gets on connect: the hello frame first, and after a reconnect with ?since= the
// events it missed, each once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSlot, startBridge, waitFor, WsClient, type Frame, type TestBridge } from '../helpers/bridge.js';

describe('WebSocket hello and replay', () => {
  let t: TestBridge;
  beforeAll(async () => {
    t = await startBridge({ slots: 3, demoScanMs: 1500 });
    await connectSlot(t, 1);
    await t.http.post('/api/connect').set('apikey', t.token).send({ slot: 2 }).expect(200);
    await waitFor(async () => (await t.http.get('/api/slots').set('apikey', t.token)).body[1].state === 'QR', 5000, 'slot 2 QR');
  });
  afterAll(() => t.stop());

  it('sends hello first: every slot with state, account and the waiting QR, the server time and the last seq', async () => {
    const before = Date.now();
    const ws = await WsClient.open(t.bridge.url, t.token);
    try {
      const hello = await ws.waitFrame((f) => f.type === 'hello');
      expect(ws.frames[0]).toBe(hello);
      expect(hello).toEqual({
        type: 'hello',
        serverTime: expect.any(Number),
        seq: expect.any(Number),
        bootId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        slots: [
          { slot: 1, state: 'READY', ready: true, account: { phone: '15550000001', name: 'Demo 1' }, qr: null },
          { slot: 2, state: 'QR', ready: false, account: null, qr: expect.stringMatching(/^data:image\/png;base64,/) },
          { slot: 3, state: 'STOPPED', ready: false, account: null, qr: null },
        ],
      });
      expect(hello.serverTime as number).toBeGreaterThanOrEqual(before);
      expect(hello.seq as number).toBeGreaterThan(0);
    } finally {
      ws.close();
    }
  });

  it('numbers every event; a reconnect with ?since= gets exactly the missed ones, then live ones, none twice', async () => {
    const observer = await WsClient.open(t.bridge.url, t.token);
    const phone = await WsClient.open(t.bridge.url, t.token);
    const hello = await phone.waitFrame((f) => f.type === 'hello');
    // Something happens while the phone is connected, then it drops.
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '962781523783', message: 'seen live' }).expect(200);
    const seenLive = await phone.waitFrame((f) => f.type === 'new_message');
    phone.close();
    await phone.closed();
    const lastSeen = Math.max(...phone.frames.map((f) => (typeof f.seq === 'number' && f.type !== 'hello' ? f.seq : 0)));
    expect(lastSeen).toBeGreaterThan(hello.seq as number);
    expect(seenLive.seq).toBeGreaterThan(hello.seq as number);

    // Missed while away: a message, its acks, the echo reply.
    await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '447700900123', message: 'missed' }).expect(200);
    await observer.waitFrame((f) => f.type === 'new_message' && (f.message as { body: string }).body === 'Echo: missed');
    const missed = observer.frames.filter((f) => f.type !== 'hello' && (f.seq as number) > lastSeen);

    const back = await WsClient.open(t.bridge.url, t.token, { since: String(lastSeen) });
    try {
      const hello2 = await back.waitFrame((f) => f.type === 'hello');
      expect(back.frames[0]).toBe(hello2);
      expect(hello2.replay).toEqual({ since: lastSeen, count: missed.length, complete: true });
      await waitFor(() => back.frames.length >= missed.length + 1, 5000, 'replayed frames');
      expect(back.frames.slice(1, missed.length + 1)).toEqual(missed);
      // Then live events continue the numbering, and no number ever arrives twice.
      await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '447700900123', message: 'after' }).expect(200);
      await back.waitFrame((f: Frame) => f.type === 'new_message' && (f.message as { body: string }).body === 'after');
      const numbers = back.frames.slice(1).map((f) => f.seq as number);
      expect(new Set(numbers).size).toBe(numbers.length);
      expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
      expect(numbers[0]).toBe(lastSeen + 1);
    } finally {
      back.close();
      observer.close();
    }
  });

  it('says when the replay cannot be complete, and refuses a malformed since', async () => {
    const ahead = await WsClient.open(t.bridge.url, t.token, { since: '99999999' });
    try {
      const hello = await ahead.waitFrame((f) => f.type === 'hello');
      expect(hello.replay).toEqual({ since: 99_999_999, count: 0, complete: false });
    } finally {
      ahead.close();
    }
    await expect(WsClient.open(t.bridge.url, t.token, { since: 'yesterday' })).rejects.toThrow(/400/);
  });
});
