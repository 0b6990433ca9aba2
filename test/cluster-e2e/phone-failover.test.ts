// Issue 13: "a phone connected to node A sends on slot 4 owned by node C and gets its acks; after
// A is killed it reconnects to B and receives the events it missed, none twice". Three bridge
// processes (demo engine: this is about routing and the event stream, not WhatsApp Web) share one
// MariaDB database. The phone is a WebSocket client; it resumes on B with `?since=<last seq>`
// (docs/api.md, "Phones move between nodes"). A witness on C sees every event; the phone's
// events on A plus those on B must be exactly the witness's from the phone's first on.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../archive/mysql-kit.js';
import { processCluster, slotOn, TOKEN, type ProcessNode } from '../cluster/process-kit.js';
import { waitFor, WsClient, type Frame } from '../helpers/bridge.js';

const CUSTOMER = '15550014001';

const events = (frames: Frame[]) => frames.filter((f) => f.type !== 'hello' && typeof f.seq === 'number');
const acksOf = (frames: Frame[], messageId: string) => events(frames).filter((f) => f.type === 'message_ack' && f.messageId === messageId).map((f) => f.ack as number);
const sentBodies = (frames: Frame[]) =>
  events(frames)
    .filter((f) => f.type === 'new_message' && f.slot === 4 && (f.message as { fromMe: number }).fromMe === 1)
    .map((f) => (f.message as { body: string }).body);

describe('a phone moves from a killed node to another and resumes its events (three bridge processes)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let cluster: ReturnType<typeof processCluster>;
  let a: ProcessNode;
  let b: ProcessNode;
  let c: ProcessNode;

  beforeAll(async () => {
    db = await createTestDatabase();
    cluster = processCluster(db, randomBytes(32).toString('base64'));
    const demo = { slots: 4, ttlMs: 5000, env: { WA_BRIDGE_DEMO_SCAN_MS: '200' } };
    a = await cluster.start('node-a', demo);
    b = await cluster.start('node-b', demo);
    c = await cluster.start('node-c', { ...demo, env: { ...demo.env, WA_BRIDGE_PREFERRED_SLOTS: '4' } });
  });

  afterAll(async () => {
    await cluster?.stop();
    await db?.drop();
  });

  it('sends on slot 4 (owned by C) through A with acks; after kill -9 of A, on B with ?since= it gets what it missed, none twice', async () => {
    await a.proc.http.post('/api/connect').set('apikey', TOKEN).send({ slot: 4 }).expect(200);
    await waitFor(async () => (await slotOn(c, 4))?.ready, 30_000, 'slot 4 READY on C');
    const witness = c.ws;

    // The phone on A: hello lists every node; a send on slot 4 is served by C and acked.
    const phone = await WsClient.open(a.proc.url, TOKEN);
    const hello = await phone.waitFrame((f) => f.type === 'hello', 5000, 'hello on A');
    await waitFor(async () => {
      const h = await WsClient.open(a.proc.url, TOKEN);
      const n = ((await h.waitFrame((f) => f.type === 'hello')).nodes as unknown[]).length;
      h.close();
      return n === 3;
    }, 20_000, 'all three nodes in hello');
    const first = await phone.command('send_message', { slot: 4, phone: CUSTOMER, message: 'from the phone 1' });
    expect(first).toMatchObject({ success: true });
    const firstId = (first.data as { messageId: string }).messageId;
    expect(firstId).toMatch(/^true_/);
    await waitFor(() => acksOf(phone.frames, firstId).includes(3), 15_000, 'acks up to 3 for the first send on the phone');

    // A second send; A dies before its acks come.
    const second = await phone.command('send_message', { slot: 4, phone: CUSTOMER, message: 'from the phone 2' });
    const secondId = (second.data as { messageId: string }).messageId;
    a.proc.child.kill('SIGKILL');
    await phone.closed();
    const seenOnA = events(phone.frames);
    const last = seenOnA.length ? (seenOnA[seenOnA.length - 1]!.seq as number) : (hello.seq as number);

    // While the phone is away: more sends on slot 4 (through B), their events happen on C.
    for (const n of [1, 2, 3]) {
      await b.proc.http.post('/api/send').set('apikey', TOKEN).send({ slot: 4, phone: CUSTOMER, message: `while away ${n}` }).expect(200);
    }
    await waitFor(() => sentBodies(witness.frames).includes('while away 3') && acksOf(witness.frames, secondId).includes(3), 15_000, 'the missed events on the witness');

    // The phone resumes on B.
    const back = await WsClient.open(b.proc.url, TOKEN, { since: String(last) });
    try {
      const hello2 = await back.waitFrame((f) => f.type === 'hello', 5000, 'hello on B');
      expect(hello2.bootId).toBe(hello.bootId);
      expect(hello2.replay).toMatchObject({ since: last, complete: true });
      expect((hello2.replay as { count: number }).count).toBeGreaterThan(0);
      const live = await back.command('send_message', { slot: 4, phone: CUSTOMER, message: 'back on B' });
      const liveId = (live.data as { messageId: string }).messageId;
      await waitFor(() => acksOf(back.frames, liveId).includes(3), 15_000, 'acks for the send on B');
      await waitFor(() => acksOf(witness.frames, liveId).includes(3), 15_000, 'the witness saw them too');

      const onB = events(back.frames);
      const mine = [...seenOnA, ...onB].map((f) => f.seq as number);
      const top = Math.max(...mine);
      const from = (seenOnA[0]?.seq as number | undefined) ?? (onB[0]!.seq as number);
      const expected = events(witness.frames).map((f) => f.seq as number).filter((s) => s >= from && s <= top);
      // None twice, none missing, nothing out of order.
      expect(mine.length - new Set(mine).size).toBe(0);
      expect(onB.every((f) => (f.seq as number) > last)).toBe(true);
      expect([...mine].sort((x, y) => x - y)).toEqual(expected);
      expect(mine).toEqual([...mine].sort((x, y) => x - y));
      // What it missed is there: the second send's acks and the three sends made while away.
      expect(acksOf(back.frames, secondId)).toContain(3);
      expect(sentBodies(onB)).toEqual(expect.arrayContaining(['while away 1', 'while away 2', 'while away 3', 'back on B']));
      expect(sentBodies([...seenOnA, ...onB]).filter((x) => x.startsWith('while away'))).toEqual(['while away 1', 'while away 2', 'while away 3']);
    } finally {
      back.close();
    }
  });
});
