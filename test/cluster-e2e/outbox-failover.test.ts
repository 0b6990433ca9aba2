// Issue 13: "200 messages queued on a slot whose node dies are each sent exactly once". Two bridge
// processes with the real whatsapp-web.js on the simulator share one MariaDB database. 200 sends
// are queued (`queue:true`) while slot 1 is stopped; the preferred node A starts it and drains the
// shared outbox (after a stop right after pairing, whose stop snapshot must be stored); A is killed
// with kill -9 mid-drain; node B takes the slot over from the newest snapshot and drains the rest.
// What went out is counted at the simulator pages' send action (a tap in the test process, so A's
// sends stay counted after its browser is killed): nothing arrives twice, and every body arrives but
// at most the one A had in flight when it died. B cannot know whether that one went out (its session
// comes from an older snapshot), so it does not send it but reports it unconfirmed (the
// `outbox_failed` event and GraphQL `outboxMessage`); the test then acts as the shop: if it never
// reached WhatsApp, send it again — after which every one of the 200 went out exactly once.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { createTestDatabase } from '../archive/mysql-kit.js';
import { browserPid, processCluster, slotOn, TOKEN, type ProcessNode } from '../cluster/process-kit.js';
import { tapSends, type Sent } from '../cluster/wire-kit.js';
import { tempDir, waitFor } from '../helpers/bridge.js';
import { simForSlot } from '../wa-sim/control.js';
import { prepareSimulatorCache } from '../wa-sim/index.js';

const PHONE = '15550013011';
const CUSTOMER = '15550013012';
const TTL_MS = 5000;
const COUNT = 200;
const body = (i: number) => `queued ${String(i).padStart(3, '0')} of ${COUNT}`;

describe('queued messages across a kill -9 failover (two bridge processes, real whatsapp-web.js)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let cluster: ReturnType<typeof processCluster>;
  let a: ProcessNode;
  let b: ProcessNode;
  const taps: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    const sim = prepareSimulatorCache(tempDir('wab-cluster-cache-'), { qrIntervalMs: 5000, serverAckMs: 20 });
    db = await createTestDatabase();
    cluster = processCluster(db, randomBytes(32).toString('base64'));
    a = await cluster.start('node-a', { sim, ttlMs: TTL_MS, env: { WA_BRIDGE_PREFERRED_SLOTS: '1' } });
    b = await cluster.start('node-b', { sim, ttlMs: TTL_MS });
  });

  afterAll(async () => {
    for (const t of taps) await t.close();
    await cluster?.stop();
    await db?.drop();
  });

  const outbox = async () =>
    (await db.query<RowDataPacket[]>('SELECT status, COUNT(*) AS n FROM shared_outbox WHERE slot = 1 GROUP BY status')).reduce<Record<string, number>>(
      (m, r) => ({ ...m, [r.status as string]: Number(r.n) }),
      {},
    );

  it('each of 200 queued messages reaches WhatsApp exactly once although the draining node is killed', async () => {
    // Pair slot 1 on A (its preferred node) and let it store a snapshot for the takeover.
    await a.proc.http.post('/api/connect').set('apikey', TOKEN).send({ slot: 1 }).expect(200);
    await waitFor(async () => (await slotOn(a))?.state === 'QR', 90_000, 'slot 1 waiting for a QR on A');
    const sim = await simForSlot(a.dataDir, 1, { timeoutMs: 60_000 });
    await sim.waitForQr();
    await sim.scanQr({ phone: PHONE, pushname: 'Outbox shop' });
    await waitFor(async () => (await slotOn(a))?.ready, 90_000, 'slot 1 READY on A');
    await sim.disconnect();

    // Stop it at once (a clean stop stores its snapshot under the lease, also when it races the
    // first periodic one), and queue 200 sends meanwhile.
    await a.proc.http.post('/api/disconnect').set('apikey', TOKEN).send({ slot: 1 }).expect(200);
    await waitFor(async () => (await slotOn(a))?.state === 'STOPPED', 60_000, 'slot 1 stopped on A');
    await waitFor(async () => (await db.query("SELECT id FROM session_snapshots WHERE slot = 1 AND reason = 'stop'"))[0], 30_000, 'the stop snapshot of slot 1').catch((e) => {
      console.log(a.proc.output().split('\n').filter((l) => /snapshot|lease|fence|stop/i.test(l)).slice(-30).join('\n'));
      throw e;
    });
    const firstBrowser = browserPid(a);
    const outboxIdOf = new Map<string, string>();
    for (let i = 1; i <= COUNT; i++) {
      const res = await a.proc.http.post('/api/send').set('apikey', TOKEN).send({ slot: 1, phone: CUSTOMER, message: body(i), queue: true });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body).toMatchObject({ queued: true });
      outboxIdOf.set(body(i), res.body.outboxId as string);
    }
    expect(await outbox()).toEqual({ pending: COUNT });

    // A starts the slot again and drains; the tap is on its page before the slot is READY.
    const sent: Sent[] = [];
    await a.proc.http.post('/api/connect').set('apikey', TOKEN).send({ slot: 1 }).expect(200);
    taps.push(await tapSends(a.dataDir, 1, 'node-a', sent, { notPid: firstBrowser }));
    await waitFor(() => sent.length >= 40, 120_000, 'A well into the drain');
    // Aim the kill at an entry A has claimed ('sending'), the case in doubt; it lands whenever it lands.
    await waitFor(async () => (await db.query("SELECT 1 FROM shared_outbox WHERE slot = 1 AND status = 'sending'")).length > 0, 10_000, 'an entry A claimed').catch(() => undefined);
    a.proc.child.kill('SIGKILL');
    const atKill = sent.length;
    // What A had claimed but not yet recorded as sent when it died (B can take it only after the TTL).
    const inDoubt = (await db.query<RowDataPacket[]>("SELECT payload FROM shared_outbox WHERE slot = 1 AND status = 'sending'")).map(
      (r) => ((typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { text: string }).text,
    );

    // B takes the slot over from the snapshot and sends the rest.
    taps.push(await tapSends(b.dataDir, 1, 'node-b', sent, { timeoutMs: TTL_MS + 60_000 }));
    await waitFor(async () => (await slotOn(b))?.ready, TTL_MS + 90_000, 'slot 1 READY on B');
    await waitFor(async () => {
      const o = await outbox();
      return !o.pending && !o.sending;
    }, 180_000, 'the shared outbox drained');
    // Anything still on its way to the tap arrives well within this.
    await new Promise((r) => setTimeout(r, 2000));

    const counted = () => {
      const counts = new Map<string, number>();
      for (const s of sent) counts.set(s.body, (counts.get(s.body) ?? 0) + 1);
      return counts;
    };
    const counts = counted();
    const expected = Array.from({ length: COUNT }, (_, i) => body(i + 1));
    const lost = expected.filter((x) => !counts.has(x));
    const twice = [...counts].filter(([, n]) => n > 1).map(([x]) => x);
    const byA = sent.filter((s) => s.via === 'node-a').length;
    // Reported to the shop: the failed entries, and what B's clients were told.
    const failedRows = await db.query<RowDataPacket[]>("SELECT id, unconfirmed, error FROM shared_outbox WHERE slot = 1 AND status = 'failed'");
    const unconfirmed = expected.filter((x) => failedRows.some((r) => r.id === outboxIdOf.get(x)));
    console.log(`A sent ${byA} (${atKill} when killed; in doubt: ${JSON.stringify(inDoubt)}), B the rest (${sent.length - byA}), lost ${lost.length}, twice ${twice.length}, unconfirmed ${unconfirmed.length} ${JSON.stringify(unconfirmed)}${unconfirmed.length ? (lost.length ? ' (never reached WhatsApp)' : ' (had reached WhatsApp)') : ''}; outbox ${JSON.stringify(await outbox())}`);
    if (twice.length || lost.some((x) => !unconfirmed.includes(x))) console.log(JSON.stringify(failedRows), b.proc.output().split('\n').filter((l) => /lease|fence|outbox|lifecycle|send|warn|error/i.test(l) && !l.includes('"msg":"request"')).slice(-30).join('\n'));
    // Never twice: the bridge sends each queued message at most once, across the failover too.
    expect(twice).toEqual([]);
    expect([...counts.keys()].every((k) => expected.includes(k))).toBe(true);
    // Nothing lost silently: only the one in flight at the kill may be missing, and only if reported.
    expect(lost.filter((x) => !unconfirmed.includes(x))).toEqual([]);
    // The drain marks each message sent before it claims the next: at most one is ever in doubt.
    expect(inDoubt.length).toBeLessThanOrEqual(1);
    expect(unconfirmed.every((x) => inDoubt.includes(x))).toBe(true);
    for (const x of unconfirmed) {
      const outboxId = outboxIdOf.get(x)!;
      // Told through the API: the event on B's clients and the status answer.
      expect(b.ws.frames.filter((f) => f.type === 'outbox_failed' && f.outboxId === outboxId)).toEqual([
        expect.objectContaining({ slot: 1, unconfirmed: true, error: expect.stringContaining('Check the chat on a phone') }),
      ]);
      const status = await b.proc.http.post('/graphql').set('apikey', TOKEN).send({ query: `{ outboxMessage(outboxId: "${outboxId}") { status unconfirmed error } }` }).expect(200);
      expect(status.body.data.outboxMessage).toEqual({ status: 'FAILED', unconfirmed: true, error: expect.stringContaining('may already have it') });
    }
    // Both nodes really sent part of it: the failover happened mid-drain.
    expect(byA).toBeGreaterThan(0);
    expect(sent.length - byA).toBeGreaterThan(0);
    expect(await outbox()).toEqual(unconfirmed.length ? { sent: COUNT - unconfirmed.length, failed: unconfirmed.length } : { sent: COUNT });

    // The shop checks the chat: what never reached WhatsApp is sent again (Retry), the rest is left.
    for (const x of lost) {
      const res = await b.proc.http.post('/api/send').set('apikey', TOKEN).send({ slot: 1, phone: CUSTOMER, message: x });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    await waitFor(() => lost.every((x) => counted().has(x)), 30_000, 'the retried message at the simulator');
    const after = counted();
    expect(expected.every((x) => after.get(x) === 1)).toBe(true);
    expect(sent.length).toBe(COUNT);
  });
});
