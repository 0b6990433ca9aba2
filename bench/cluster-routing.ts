// `npm run bench -- cluster-routing`: two in-process bridges (demo engine) in cluster mode on a
// fresh MariaDB database; node B runs slot 1. Measures BENCH_SENDS sends each way:
//   local      POST /api/send on B (the owner)
//   forwarded  POST /api/send on A (passed to B with the cluster key)
// and the event path: a message sent on B until its new_message frame reaches a WebSocket client
// on B (local) and on A (through the shared event table). Prints p50/p99 in ms.
import { performance } from 'node:perf_hooks';
import { WsClient } from '../test/helpers/bridge.js';
import { ADMIN, createTestDatabase, ownedBy, startNode } from '../test/cluster/routing-kit.js';

const SENDS = Number(process.env.BENCH_SENDS ?? 200);
const LIMITS = { ratePerMinute: 1_000_000, ratePerHour: 1_000_000, ratePerDay: 1_000_000, logLevel: 'warn' };

function line(label: string, ms: number[]): void {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))]!;
  console.log(`${label.padEnd(34)} p50 ${at(0.5).toFixed(1)} ms  p99 ${at(0.99).toFixed(1)} ms  max ${at(1).toFixed(1)} ms  (n=${s.length})`);
}

async function send(url: string, text: string): Promise<{ ms: number; id: string }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/send`, {
    method: 'POST',
    headers: { apikey: ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify({ slot: 1, phone: '+15550100001', message: text }),
  });
  const body = (await res.json()) as { messageId?: string };
  if (res.status !== 200 || !body.messageId) throw new Error(`send via ${url}: ${res.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - t0, id: body.messageId };
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const a = await startNode(db, 'bench-a', LIMITS);
  const b = await startNode(db, 'bench-b', { ...LIMITS, preferredSlots: '1' });
  try {
    await a.http.post('/api/connect').set('apikey', ADMIN).send({ slot: 1 }).expect(200);
    await ownedBy(db, b, 1);
    // Warm both paths (connections, JIT).
    for (let i = 0; i < 20; i++) {
      await send(b.bridge.url, `warm b ${i}`);
      await send(a.bridge.url, `warm a ${i}`);
    }
    const local: number[] = [];
    const forwarded: number[] = [];
    for (let i = 0; i < SENDS; i++) {
      // Interleaved, so load on the machine hits both alike.
      local.push((await send(b.bridge.url, `local ${i}`)).ms);
      forwarded.push((await send(a.bridge.url, `fwd ${i}`)).ms);
    }
    line('send, local (owner B)', local);
    line('send, forwarded (A → B)', forwarded);

    const onA = await WsClient.open(a.bridge.url, ADMIN);
    const onB = await WsClient.open(b.bridge.url, ADMIN);
    const seenAt = (c: WsClient) => {
      const at = new Map<string, number>();
      c.ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as { type: string; message?: { id: string } };
        if (f.type === 'new_message' && f.message) at.set(f.message.id, performance.now());
      });
      return at;
    };
    const atA = seenAt(onA);
    const atB = seenAt(onB);
    const eventLocal: number[] = [];
    const eventCross: number[] = [];
    for (let i = 0; i < SENDS; i++) {
      const t0 = performance.now();
      const { id } = await send(b.bridge.url, `event ${i}`);
      const deadline = Date.now() + 10_000;
      while (!(atA.has(id) && atB.has(id))) {
        if (Date.now() > deadline) throw new Error(`event for ${id} did not reach both clients`);
        await new Promise((r) => setTimeout(r, 2));
      }
      eventLocal.push(atB.get(id)! - t0);
      eventCross.push(atA.get(id)! - t0);
    }
    line('send → new_message, client on B', eventLocal);
    line('send → new_message, client on A', eventCross);
    onA.close();
    onB.close();
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
