// Cluster mode, shared state: two in-process bridges on one random MariaDB database. A phone
// paired on one node works on the other; audit and FCM registrations are shared; a queued
// message is claimed only under the slot's current fence, so a zombie node sends nothing.
import type { RowDataPacket } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { MysqlOutbox, PIECE_CHARS, pieces } from '../../bridge/cluster/shared/outbox.js';
import { mp4Video } from '../helpers/media.js';
import { ensureSharedTables } from '../../bridge/cluster/shared/schema.js';
import { waitFor, WsClient } from '../helpers/bridge.js';
import { ADMIN, ownedBy, setLease, twoNodes, type TestDb, type TestNode } from './routing-kit.js';

const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

let db: TestDb;
let a: TestNode;
let b: TestNode;

twoNodes({ preferredSlots: '1' }, (n) => ({ db, a, b } = n));

describe('shared state in cluster mode', () => {
  it('a device paired on node A works on node B; revoked on B it stops working on A', async () => {
    const paired = await a.http.post('/api/devices').set('apikey', ADMIN).send({ name: 'Till', slots: [1, 2], role: 'send' }).expect(201);
    const token = paired.body.token as string;
    const slotsOnB = await b.http.get('/api/slots').set('apikey', token).expect(200);
    // The scope travels with the device: only its slots.
    expect((slotsOnB.body as { slot: number }[]).map((s) => s.slot)).toEqual([1, 2]);
    const listed = await b.http.get('/api/devices').set('apikey', ADMIN).expect(200);
    expect(listed.body.data).toEqual([expect.objectContaining({ deviceId: paired.body.deviceId, name: 'Till', slots: [1, 2], role: 'send' })]);
    // Not in the local bridge.db: nothing there to find.
    await b.http.delete(`/api/devices/${paired.body.deviceId}`).set('apikey', ADMIN).expect(200);
    await a.http.get('/api/slots').set('apikey', token).expect(401);
    // Both actions are in the one audit log (written in the background), whichever node is asked.
    await waitFor(async () => {
      const audit = await a.http.get('/api/audit').set('apikey', ADMIN).expect(200);
      const actions = (audit.body.data as { action: string }[]).map((e) => e.action);
      return actions.includes('device_revoked') && actions.includes('device_added');
    }, 5000, 'both audit entries on node A');
  });

  it('an FCM registration made through node A is stored where node B reads it', async () => {
    const paired = await a.http.post('/api/devices').set('apikey', ADMIN).send({ name: 'Pusher' }).expect(201);
    const ws = await WsClient.open(a.bridge.url, paired.body.token as string);
    const reply = await ws.command('register_fcm', { token: 'fcm-token-0123456789abcdef:APA91b', installationId: 'inst-1' });
    expect(reply.data).toEqual({ registered: true, installationId: 'inst-1' });
    ws.ws.close();
    const rows = await db.query<RowDataPacket[]>('SELECT device_id, installation_id, token FROM shared_push_registrations');
    expect(rows.map((r) => ({ ...r }))).toEqual([{ device_id: paired.body.deviceId, installation_id: 'inst-1', token: 'fcm-token-0123456789abcdef:APA91b' }]);
  });

  it('a message queued on node A is claimed and sent once, by the slot owner B under its fence', async () => {
    const sentOn = { a: [] as string[], b: [] as string[] };
    const offA = a.bridge.onEvent((e) => e.type === 'outbox_sent' && sentOn.a.push(String((e as { outboxId: string }).outboxId)));
    const offB = b.bridge.onEvent((e) => e.type === 'outbox_sent' && sentOn.b.push(String((e as { outboxId: string }).outboxId)));
    try {
      // Nobody runs slot 1 yet: A keeps the message in the shared outbox.
      const queued = await a.http.post('/api/send').set('apikey', ADMIN).send({ slot: 1, phone: '+15550100001', message: 'queued on A', queue: true }).expect(202);
      const outboxId = queued.body.outboxId as string;
      // Started through A; B prefers slot 1 and takes its lease, then drains the shared outbox.
      await a.http.post('/api/connect').set('apikey', ADMIN).send({ slot: 1 }).expect(200);
      const fence = await ownedBy(db, b, 1);
      await waitFor(() => sentOn.b.includes(outboxId), 15_000, 'B sends the queued message');
      // The sent mark is written with the message record, just after the event (kept in memory until then).
      const row = await waitFor(async () => {
        const rows = await db.query<RowDataPacket[]>('SELECT status, claimed_fence, claimed_by, message_id FROM shared_outbox WHERE id = ?', [outboxId]);
        return rows[0]?.status === 'sent' ? rows : null;
      }, 5000, 'the sent mark in the shared outbox');
      expect({ ...row[0] }).toMatchObject({ status: 'sent', claimed_fence: fence, claimed_by: b.id });
      expect(sentOn.a).toEqual([]);
      expect(sentOn.b.filter((id) => id === outboxId)).toHaveLength(1);
      // Either node reports the same outbox.
      const health = await a.http.get('/api/health').set('apikey', ADMIN).expect(200);
      expect(health.body.outbox).toBe(0);
    } finally {
      offA();
      offB();
    }
  }, 40_000);

  it('a 14 MiB video queued in the shared outbox (over MariaDB\'s 16 MiB packet as base64) is stored in pieces and sent intact', async () => {
    const sent: { outboxId: string; messageId: string }[] = [];
    const offs = [a, b].map((n) => n.bridge.onEvent((e) => void (e.type === 'outbox_sent' && sent.push(e as unknown as { outboxId: string; messageId: string }))));
    try {
      const video = mp4Video(14 * 1024 * 1024);
      // Nobody runs slot 3: the upload is queued (multipart, as a phone sends it).
      const queued = await a.http
        .post('/api/send-media')
        .set('apikey', ADMIN)
        .field('slot', '3')
        .field('phone', '+15550100003')
        .field('queue', 'true')
        .attach('file', video, { filename: 'big.mp4', contentType: 'video/mp4' })
        .expect(202);
      const outboxId = queued.body.outboxId as string;
      const stored = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n, MAX(LENGTH(data)) AS biggest FROM shared_outbox_chunks WHERE id = ?', [outboxId]);
      expect(Number(stored[0]!.n)).toBeGreaterThan(1);
      expect(Number(stored[0]!.biggest)).toBeLessThanOrEqual(PIECE_CHARS);
      await a.http.post('/api/connect').set('apikey', ADMIN).send({ slot: 3 }).expect(200);
      const done = await waitFor(() => sent.find((e) => e.outboxId === outboxId), 30_000, 'the queued video sent');
      // The sender stores the media a moment after the send (message_media): ask until it has it.
      const back = await waitFor(async () => {
        const res = await a.http.get(`/api/slots/3/messages/${encodeURIComponent(done.messageId)}/media`).set('apikey', ADMIN).buffer(true).parse(binary as never);
        return res.status === 200 ? res : null;
      }, 15_000, 'the sent video stored');
      expect((back.body as Buffer).equals(video)).toBe(true);
      // Sent: its pieces are gone.
      await waitFor(async () => Number((await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM shared_outbox_chunks WHERE id = ?', [outboxId]))[0]!.n) === 0, 5000, 'pieces removed');
      await a.http.post('/api/disconnect').set('apikey', ADMIN).send({ slot: 3 }).expect(200);
    } finally {
      for (const off of offs) off();
    }
  }, 60_000);

  it('pieces never split a surrogate pair', () => {
    const text = 'a'.repeat(3) + '😀' + 'b'.repeat(3);
    const cut = pieces(text, 4);
    expect(cut.join('')).toBe(text);
    expect(cut.every((p) => !/[\ud800-\udbff]$/.test(p))).toBe(true);
    expect(cut[0]).toBe('aaa');
  });

  it('an outbox claim under a stale fence or by a node without the lease is refused', async () => {
    const pool = mysql.createPool({ uri: db.url(), connectionLimit: 2 });
    try {
      await ensureSharedTables(pool);
      await setLease(db, 9, 'node-b', 7);
      let believed: { node: string; fence: number } | null = { node: 'node-b', fence: 6 };
      const outbox = new MysqlOutbox(pool, () => believed);
      const id = await outbox.enqueue(9, 'phone:15550100003', 'text', { text: 'once' });
      const [entry] = await outbox.unfinished(9);
      expect(entry!.id).toBe(id);
      expect(await outbox.claim(entry!)).toBe(false); // B, but an old fence (a zombie of itself)
      believed = { node: 'node-a', fence: 7 };
      expect(await outbox.claim(entry!)).toBe(false); // right fence, wrong node
      believed = null;
      expect(await outbox.claim(entry!)).toBe(false); // no lease at all
      believed = { node: 'node-b', fence: 7 };
      expect(await outbox.claim(entry!)).toBe(true);
      // Claimed under fence 7: the same fence cannot take it twice ...
      const [sending] = await outbox.unfinished(9);
      expect(sending!.status).toBe('sending');
      expect(await outbox.claim(sending!)).toBe(false);
      // ... a new owner after a failover (fence 8) may, to finish the interrupted send.
      await setLease(db, 9, 'node-a', 8);
      expect(await outbox.claim(sending!)).toBe(false); // node-b still believes fence 7
      believed = { node: 'node-a', fence: 8 };
      expect(await outbox.claim(sending!)).toBe(true);
      // An expired lease counts as none, whatever the node believes.
      await db.query('UPDATE slot_leases SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE slot = 9');
      await outbox.markPending(id);
      const [again] = await outbox.unfinished(9);
      expect(await outbox.claim(again!)).toBe(false);
    } finally {
      await pool.end();
    }
  });
});
