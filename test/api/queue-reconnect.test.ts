// Seed 001: "queue messages during connection issues". A send to a linked slot that is
// reconnecting is kept in the durable outbox by default (REST 202 with the outbox id, GraphQL
// true); `queue: false` refuses instead; a stopped or never-linked slot still answers
// NOT_CONNECTED; WebSocket commands keep their explicit opt-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoEngineFactory } from '../../bridge/engine/demo/index.js';
import type { EngineContext } from '../../bridge/engine/types.js';
import { connectSlot, startBridge, waitFor, WsClient, type TestBridge } from '../helpers/bridge.js';

describe('queue by default while a slot reconnects', () => {
  let t: TestBridge;
  const engines = new Map<number, EngineContext>();
  // A crashed browser is relaunched at once: hold relaunches so the slot stays RECONNECTING.
  let relaunch: Promise<void> = Promise.resolve();
  let letRelaunch = () => {};

  beforeAll(async () => {
    const demo = createDemoEngineFactory({ scanMs: 200 });
    t = await startBridge({ slots: 3, reconnectDelayMs: 1500 }, {
      engineFactory: (ctx) => {
        engines.set(ctx.slot, ctx);
        const engine = demo(ctx);
        const start = engine.start.bind(engine);
        engine.start = async () => {
          await relaunch;
          return start();
        };
        return engine;
      },
    });
    await connectSlot(t, 1);
  });
  afterAll(() => t.stop());

  const send = (body: object) => t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '962781523783', ...body });
  const state = async (slot: number) => ((await t.http.get('/api/slots').set('apikey', t.token)).body as { state: string }[])[slot - 1]!.state;

  it('keeps REST and GraphQL sends while reconnecting and sends them once ready; queue:false refuses', async () => {
    const ws = await WsClient.open(t.bridge.url, t.token);
    relaunch = new Promise((resolve) => (letRelaunch = resolve));
    engines.get(1)!.emit({ type: 'failure', error: 'browser crashed (test)' });
    await waitFor(async () => (await state(1)) === 'RECONNECTING', 5000, 'RECONNECTING');

    const queued = await send({ message: 'kept while reconnecting' }).expect(202);
    expect(queued.body).toEqual({ success: true, queued: true, outboxId: expect.any(String) });

    const refused = await send({ message: 'not kept', queue: false }).expect(409);
    expect(refused.body.error.code).toBe('NOT_CONNECTED');

    const gql = await fetch(`${t.bridge.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: t.token },
      body: JSON.stringify({ query: 'mutation { sendWhatsAppNotification(phoneNumber: "962781523783", message: "seed client while reconnecting") }' }),
    });
    expect(await gql.json()).toEqual({ data: { sendWhatsAppNotification: true } });

    // WebSocket commands keep answering NOT_CONNECTED unless they ask for the queue.
    const wsReply = await ws.command('send_message', { slot: 1, phone: '962781523783', message: 'ws' });
    expect(wsReply.error).toMatchObject({ code: 'NOT_CONNECTED' });
    letRelaunch();

    const sent = await ws.waitFrame((f) => f.type === 'outbox_sent' && f.outboxId === queued.body.outboxId, 15_000, 'the queued message sent');
    expect(sent.messageId).toEqual(expect.stringMatching(/^true_962781523783@c\.us_/));
    const status = await fetch(`${t.bridge.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: t.token },
      body: JSON.stringify({ query: `{ outboxMessage(outboxId: "${queued.body.outboxId as string}") { status messageId slot } }` }),
    });
    expect(await status.json()).toEqual({ data: { outboxMessage: { status: 'SENT', messageId: sent.messageId, slot: 1 } } });
    ws.close();
  });

  it('a stopped slot and a slot waiting for its first scan still answer NOT_CONNECTED', async () => {
    const stopped = await t.http.post('/api/send').set('apikey', t.token).send({ slot: 2, phone: '962781523783', message: 'x' }).expect(409);
    expect(stopped.body.error.code).toBe('NOT_CONNECTED');

    await t.http.post('/api/disconnect').set('apikey', t.token).send({ slot: 1 }).expect(200);
    await send({ message: 'after disconnect' }).expect(409);

    const neverLinked = createDemoEngineFactory({ scanMs: 3_600_000 });
    const other = await startBridge({ slots: 1 }, { engineFactory: neverLinked });
    try {
      await other.http.post('/api/connect').set('apikey', other.token).send({ slot: 1 }).expect(200);
      await waitFor(async () => ((await other.http.get('/api/slots').set('apikey', other.token)).body as { state: string }[])[0]!.state === 'QR', 5000, 'QR');
      const res = await other.http.post('/api/send').set('apikey', other.token).send({ slot: 1, phone: '962781523783', message: 'x' }).expect(409);
      expect(res.body.error.code).toBe('NOT_CONNECTED');
    } finally {
      await other.stop();
    }
  });
});
