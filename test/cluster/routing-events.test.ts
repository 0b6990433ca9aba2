// Cluster mode, events: a phone on node A gets the events of a slot node B runs, in order, each
// with the cluster's sequence number; reconnecting to node B with `?since=` replays exactly the
// events it missed, none twice, under the same bootId.
import { describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { pino } from 'pino';
import { ClusterEventStream, nextId } from '../../bridge/cluster/events.js';
import { waitFor, WsClient, type Frame } from '../helpers/bridge.js';
import { ADMIN, ownedBy, twoNodes, type TestDb, type TestNode } from './routing-kit.js';

let db: TestDb;
let a: TestNode;
let b: TestNode;

twoNodes({ preferredSlots: '2' }, (n) => ({ db, a, b } = n));

const events = (c: WsClient) => c.frames.filter((f) => typeof f.seq === 'number' && f.type !== 'hello');
const sentBodies = (frames: Frame[]) =>
  frames.filter((f) => f.type === 'new_message' && f.slot === 2 && (f.message as { fromMe: number }).fromMe === 1).map((f) => (f.message as { body: string }).body);

describe('events across nodes', () => {
  it('a client on A receives B’s events in order; on B with ?since= it gets exactly what it missed', async () => {
    const phone = await WsClient.open(a.bridge.url, ADMIN);
    const witness = await WsClient.open(b.bridge.url, ADMIN);
    try {
      await a.http.post('/api/connect').set('apikey', ADMIN).send({ slot: 2 }).expect(200);
      await ownedBy(db, b, 2);
      await phone.waitFrame((f) => f.type === 'status' && f.slot === 2 && f.ready === true, 10_000, 'B’s slot 2 READY seen on A');
      for (const n of [1, 2, 3, 4, 5]) {
        await b.http.post('/api/send').set('apikey', ADMIN).send({ slot: 2, phone: '+15550100002', message: `first ${n}` }).expect(200);
      }
      await waitFor(() => sentBodies(events(phone)).length === 5, 10_000, 'five messages on A');
      expect(sentBodies(events(phone))).toEqual(['first 1', 'first 2', 'first 3', 'first 4', 'first 5']);
      const seqs = events(phone).map((f) => f.seq as number);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
      // Node A is only a window: none of these events came from A's own slot 2.
      const last = seqs[seqs.length - 1]!;
      const helloA = phone.frames[0]!;
      phone.close();

      for (const n of [6, 7, 8]) {
        await b.http.post('/api/send').set('apikey', ADMIN).send({ slot: 2, phone: '+15550100002', message: `missed ${n}` }).expect(200);
      }
      await waitFor(() => sentBodies(events(witness)).includes('missed 8'), 10_000, 'the witness on B saw the missed messages');

      const back = await WsClient.open(b.bridge.url, ADMIN, { since: String(last) });
      try {
        const hello = back.frames[0]!;
        expect(hello.type).toBe('hello');
        expect(hello.bootId).toBe(helloA.bootId); // one numbering for the cluster
        expect(hello.replay).toMatchObject({ since: last, complete: true });
        const replayed = back.frames.slice(1, 1 + (hello.replay as { count: number }).count);
        const top = replayed[replayed.length - 1]!.seq as number;
        // Exactly the events after `last` that the witness on B saw, up to the replay's end: none missing, none twice.
        expect(replayed.map((f) => f.seq)).toEqual(events(witness).filter((f) => (f.seq as number) > last && (f.seq as number) <= top).map((f) => f.seq));
        expect(sentBodies(replayed)).toEqual(['missed 6', 'missed 7', 'missed 8']);
        expect(replayed.every((f) => (f.seq as number) > last)).toBe(true);
      } finally {
        back.close();
      }
    } finally {
      phone.close();
      witness.close();
    }
  }, 60_000);

  it('hello and the pairing answer list every node with its HTTPS address and certificate', async () => {
    const expected = [a, b]
      .map((n) => ({ id: n.id, url: `https://127.0.0.1:${n.bridge.httpsPort}`, fingerprint: expect.stringMatching(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/) }))
      .sort((x, y) => x.id.localeCompare(y.id));
    const hello = await waitFor(async () => {
      const c = await WsClient.open(a.bridge.url, ADMIN);
      const h = await c.waitFrame((f) => f.type === 'hello', 5000, 'hello');
      c.close();
      return (h.nodes as unknown[]).length === 2 ? h : null;
    }, 15_000, 'both nodes in the hello frame on A');
    expect(hello.nodes).toEqual(expected);
    const pairing = await waitFor(async () => {
      const res = await b.http.get('/api/pairing').set('apikey', ADMIN).expect(200);
      return res.body.nodes?.length === 2 ? res.body : null;
    }, 15_000, 'both nodes in the pairing answer on B');
    expect(pairing.nodes).toEqual(expected);
    // Each node pins its own certificate: a phone moving over needs the other's fingerprint.
    expect(pairing.nodes[0].fingerprint).not.toBe(pairing.nodes[1].fingerprint);
  }, 40_000);

  it('only the owner of a slot publishes its events (a node that lost the lease tells nobody)', async () => {
    const pool = mysql.createPool({ uri: db.url(), connectionLimit: 2 });
    const owned = new Set<number>([7]);
    const stream = new ClusterEventStream({ pool, nodeId: 'stage', logger: pino({ level: 'silent' }), owns: (n) => owned.has(n), pollMs: 50 });
    const seen: { seq: number; slot: number; frame: Record<string, unknown> }[] = [];
    try {
      await stream.prepare();
      await stream.start((seq, slot, frame) => seen.push({ seq, slot, frame }));
      stream.publish({ type: 'status', slot: 8, state: 'READY' }); // not ours
      stream.publish({ type: 'status', slot: 7, state: 'READY', chat: { local: true } });
      await waitFor(() => seen.some((e) => e.slot === 7), 5000, 'slot 7 event back from the table');
      expect(seen.filter((e) => e.slot === 8)).toEqual([]);
      // The local-only chat object is not shared.
      expect(seen.find((e) => e.slot === 7)!.frame).toEqual({ type: 'status', slot: 7, state: 'READY' });
    } finally {
      await stream.close();
      await pool.end();
    }
  });

  it('ids that step by auto_increment_increment > 1 (Galera) are no gaps; a row not yet committed still is', async () => {
    // Every connection of this pool steps ids by 3, as a three-server Galera cluster does.
    const pool = mysql.createPool({ uri: db.url(), connectionLimit: 3 });
    pool.pool.on('connection', (conn) => void conn.query('SET SESSION auto_increment_increment = 3'));
    const owned = new Set<number>([7]);
    // A gap is waited for a minute here: anything delivered within the test's seconds was no gap.
    const stream = new ClusterEventStream({ pool, nodeId: 'galera', logger: pino({ level: 'silent' }), owns: (n) => owned.has(n), pollMs: 50, gapWaitMs: 60_000 });
    const seen: number[] = [];
    try {
      await stream.prepare();
      await stream.start((_seq, _slot, frame) => void (typeof frame.n === 'number' && seen.push(frame.n)));
      for (const n of [1, 2, 3]) stream.publish({ type: 'status', slot: 7, n });
      await waitFor(() => seen.length === 3, 5000, 'three events stepping by 3');
      const [ids] = await pool.query<mysql.RowDataPacket[]>("SELECT id FROM shared_events WHERE node = 'galera' ORDER BY id");
      const list = ids.map((r) => Number(r.id));
      // Stepped by 3: all in one series (the nodes of this file may write rows in between, so the
      // distance is a multiple of 3, not always 3).
      expect(list.length).toBe(3);
      expect(list.map((id) => (id - list[0]!) % 3)).toEqual([0, 0, 0]);
      // A row taken but not committed (another writer mid-transaction) holds back the ones after it.
      const writer = await pool.getConnection();
      try {
        await writer.beginTransaction();
        await writer.query("INSERT INTO shared_events (slot, node, frame) VALUES (7, 'galera', ?)", [JSON.stringify({ type: 'status', slot: 7, n: 4 })]);
        stream.publish({ type: 'status', slot: 7, n: 5 });
        await waitFor(async () => {
          const [rows] = await pool.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS c FROM shared_events WHERE node = 'galera'");
          return Number(rows[0]!.c) === 4; // n: 5 committed (n: 4 not yet visible)
        }, 5000, 'the later row committed');
        await new Promise((r) => setTimeout(r, 300));
        expect(seen).toEqual([1, 2, 3]);
        await writer.commit();
      } finally {
        writer.release();
      }
      await waitFor(() => seen.length === 5, 5000, 'both once the gap filled');
      expect(seen).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await stream.close();
      await pool.end();
    }
  });
});

describe('the next event id in a stepped series', () => {
  it('is id + 1 with step 1, the next of the server\'s series otherwise', () => {
    expect(nextId(41, 1, 1)).toBe(42);
    expect(nextId(1, 3, 1)).toBe(4);
    expect(nextId(4, 3, 1)).toBe(7);
    expect(nextId(5, 3, 1)).toBe(7);
    expect(nextId(0, 3, 2)).toBe(2);
    expect(nextId(2, 3, 2)).toBe(5);
    expect(nextId(3, 3, 2)).toBe(5);
    expect(nextId(0, 3, 5)).toBe(1); // an offset above the step is ignored
  });
});
