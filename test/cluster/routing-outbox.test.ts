// Cluster mode, the admin's "Not sent" list: any node lists the shared outbox; a retry asked on a
// node that does not run the slot is forwarded to the owner, whose drain sends it at once.
import crypto from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/bridge.js';
import { ADMIN, ownedBy, twoNodes, type TestDb, type TestNode } from './routing-kit.js';

let db: TestDb;
let a: TestNode;
let b: TestNode;

twoNodes({ preferredSlots: '2' }, async (n) => {
  ({ db, a, b } = n);
  await a.http.post('/api/connect').set('apikey', ADMIN).send({ slot: 2 }).expect(200);
  await ownedBy(db, b, 2);
});

const statusOf = async (id: string) => (await db.query<RowDataPacket[]>('SELECT status FROM shared_outbox WHERE id = ?', [id]))[0]?.status as string | undefined;

describe('outbox view across nodes', () => {
  it('A lists B’s unconfirmed entry; a retry asked on A is sent by B, the owner', async () => {
    const id = crypto.randomUUID();
    // What a failover leaves: claimed by a node that died mid-send, failed as unconfirmed by the next owner.
    await db.query(
      `INSERT INTO shared_outbox (id, slot, chat_id, kind, payload, status, attempted_at, claimed_fence, claimed_by, error, unconfirmed, created_at)
       VALUES (?, 2, 'phone:15550100008', 'text', '{"text":"maybe sent"}', 'failed', ?, 1, 'gone:000000', 'Not confirmed', 1, ?)`,
      [id, Date.now(), Date.now()],
    );
    const listed = await a.http.get('/api/outbox?status=unconfirmed').set('apikey', ADMIN).expect(200);
    expect(listed.body.data).toEqual([expect.objectContaining({ outboxId: id, slot: 2, phone: '15550100008', preview: 'maybe sent', unconfirmed: true })]);

    const res = await a.http.post(`/api/outbox/${id}/retry`).set('apikey', ADMIN).expect(200);
    expect(res.body).toEqual({ success: true, outboxId: id, slot: 2, status: 'pending' });
    await waitFor(async () => (await statusOf(id)) === 'sent', 10_000, 'the retried entry sent by B');
    // Settled answers come from any node too.
    const again = await a.http.post(`/api/outbox/${id}/retry`).set('apikey', ADMIN).expect(409);
    expect(again.body.error.code).toBe('CONFLICT');
    expect((await b.http.get('/api/outbox').set('apikey', ADMIN).expect(200)).body.data).toEqual([]);
  }, 30_000);
});
