// Cluster mode, events without the poll wait: the node that runs a slot pokes the others after it
// appends events, so a phone on another node gets them at once. Both nodes poll the event table
// only every 5 s here: anything delivered well within that came through a poke.
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CLUSTER_KEY_HEADER } from '../../bridge/cluster/cluster-key.js';
import { ClusterEventStream } from '../../bridge/cluster/events.js';
import { POKE_PATH } from '../../bridge/cluster/poke.js';
import { WsClient, waitFor, type Frame } from '../helpers/bridge.js';
import { ADMIN, CLUSTER_KEY, ownedBy, twoNodes, type TestDb, type TestNode } from './routing-kit.js';

const POLL = { eventPollMs: 5000 };
let db: TestDb;
let a: TestNode;
let b: TestNode;

twoNodes({ ...POLL, preferredSlots: '2' }, (n) => ({ db, a, b } = n), POLL);

/** When each new_message of slot 2 (by body) reached this client. */
function arrivals(c: WsClient): Map<string, number> {
  const at = new Map<string, number>();
  c.ws.on('message', (data) => {
    const f = JSON.parse(data.toString()) as Frame;
    const body = (f.message as { body?: string } | undefined)?.body;
    if (f.type === 'new_message' && f.slot === 2 && typeof body === 'string') at.set(body, performance.now());
  });
  return at;
}

const sent = (c: WsClient, prefix: string) =>
  c.frames.filter((f) => f.type === 'new_message' && f.slot === 2 && String((f.message as { body?: string }).body).startsWith(prefix));

const send = (node: TestNode, message: string) => node.http.post('/api/send').set('apikey', ADMIN).send({ slot: 2, phone: '+15550100002', message }).expect(200);

describe('poked event tails', () => {
  it('a phone on A gets each event of B’s slot well within the 5 s poll (< 1 s)', async () => {
    const phone = await WsClient.open(a.bridge.url, ADMIN);
    const at = arrivals(phone);
    try {
      await a.http.post('/api/connect').set('apikey', ADMIN).send({ slot: 2 }).expect(200);
      await ownedBy(db, b, 2);
      await phone.waitFrame((f) => f.type === 'status' && f.slot === 2 && f.ready === true, 10_000, 'B’s slot 2 READY seen on A');
      const waits: number[] = [];
      // One after the other: without pokes, each after the first waits for A's next 5 s poll.
      for (const n of [1, 2, 3, 4, 5]) {
        const t0 = performance.now();
        await send(b, `quick ${n}`);
        await waitFor(() => at.has(`quick ${n}`), 10_000, `quick ${n} on A`);
        waits.push(at.get(`quick ${n}`)! - t0);
      }
      expect(waits.every((ms) => ms < 1000), `send → event on A: ${waits.map((ms) => Math.round(ms)).join(', ')} ms`).toBe(true);
    } finally {
      phone.close();
    }
  }, 60_000);

  it('a poke without the cluster key (401) or with a wrong one (403) is refused; the admin token is no cluster key', async () => {
    for (const node of [a, b]) {
      expect((await node.http.post(POKE_PATH).expect(401)).body.error.code).toBe('UNAUTHORIZED');
      await node.http.post(POKE_PATH).set('apikey', ADMIN).expect(401);
      expect((await node.http.post(POKE_PATH).set(CLUSTER_KEY_HEADER, 'some-other-cluster-key-0123456789').expect(403)).body.error.code).toBe('FORBIDDEN');
      await node.http.post(POKE_PATH).set(CLUSTER_KEY_HEADER, CLUSTER_KEY).expect(204);
    }
  });

  it('pokes arriving all at once while events are written deliver each event once, in the order of the table', async () => {
    const phone = await WsClient.open(a.bridge.url, ADMIN);
    const witness = await WsClient.open(b.bridge.url, ADMIN);
    try {
      await ownedBy(db, b, 2);
      let poking = true;
      // Bursts of 20 concurrent pokes at A, on top of B's own, for as long as the sends go on.
      const storm = (async () => {
        let pokes = 0;
        while (poking) {
          const answers = await Promise.all(
            Array.from({ length: 20 }, () => fetch(`${a.bridge.url}${POKE_PATH}`, { method: 'POST', headers: { [CLUSTER_KEY_HEADER]: CLUSTER_KEY } })),
          );
          expect(answers.map((r) => r.status)).toEqual(Array(20).fill(204));
          pokes += answers.length;
        }
        return pokes;
      })();
      const bodies = Array.from({ length: 30 }, (_, i) => `burst ${i}`);
      await Promise.all(bodies.map((body) => send(b, body)));
      await waitFor(() => sent(phone, 'burst ').length >= 30 && sent(witness, 'burst ').length >= 30, 10_000, 'all 30 on A and on B');
      poking = false;
      expect(await storm).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300)); // a duplicate would have arrived by now
      const onA = sent(phone, 'burst ');
      const onB = sent(witness, 'burst ');
      expect(onA.map((f) => (f.message as { body: string }).body).sort()).toEqual([...bodies].sort());
      const seqs = onA.map((f) => f.seq as number);
      expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true); // increasing: none twice, none out of order
      expect(seqs).toEqual(onB.map((f) => f.seq)); // the same order as the writing node's own clients
    } finally {
      phone.close();
      witness.close();
    }
  }, 60_000);
});

describe('the event tail, poked from every side', () => {
  it('hands each row once, in id order, however many reads are asked for at once; tells the poker after each append', async () => {
    const pool = mysql.createPool({ uri: db.url(), connectionLimit: 4 });
    // Count the tail's reads running at once (the rule: never more than one).
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    let reading = 0;
    let mostAtOnce = 0;
    pool.query = (async (...args: unknown[]) => {
      if (!/^SELECT id, slot, frame FROM shared_events WHERE id > \?/.test(String(args[0]))) return query(...args);
      mostAtOnce = Math.max(mostAtOnce, ++reading);
      try {
        return await query(...args);
      } finally {
        reading--;
      }
    }) as typeof pool.query;
    let appended = 0;
    // No timer reads in this test's time: every read is a poke or the publisher's own.
    const stream = new ClusterEventStream({ pool, nodeId: 'poked', logger: pino({ level: 'silent' }), owns: () => true, pollMs: 60_000, onAppended: () => void appended++ });
    const seen: { seq: number; n: number }[] = [];
    try {
      await stream.prepare();
      await stream.start((seq, _slot, frame) => void (typeof frame.n === 'number' && seen.push({ seq, n: frame.n })));
      let poking = true;
      const pokes = (async () => {
        while (poking) {
          for (let i = 0; i < 5; i++) stream.poll();
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      for (let n = 1; n <= 60; n++) {
        stream.publish({ type: 'status', slot: 9, n });
        if (n % 10 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await waitFor(() => seen.length >= 60, 5000, 'sixty events handed out');
      await new Promise((r) => setTimeout(r, 200)); // pokes go on: a row handed twice would show now
      poking = false;
      await pokes;
      expect(seen.map((e) => e.n)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(seen.every((e, i) => i === 0 || e.seq > seen[i - 1]!.seq)).toBe(true);
      expect(mostAtOnce).toBe(1);
      expect(appended).toBe(60);
      stream.publishClose({ device: 'some-device' });
      await waitFor(() => appended === 61, 5000, 'a close order pokes too');
    } finally {
      await stream.close();
      await pool.end();
    }
  }, 30_000);
});
