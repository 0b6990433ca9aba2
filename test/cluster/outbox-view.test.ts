// The admin's view of the shared outbox on MariaDB (GET /api/outbox, retry, discard in cluster
// mode): any node lists from the shared table; a retry undoes an unconfirmed failure so the
// owner's drain sends it as never tried; a discard never takes an entry being sent.
import type { RowDataPacket } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlOutbox, PIECE_CHARS } from '../../bridge/cluster/shared/outbox.js';
import { ensureSharedTables } from '../../bridge/cluster/shared/schema.js';
import { createTestDatabase } from '../archive/mysql-kit.js';
import { setLease, type TestDb } from './routing-kit.js';

let db: TestDb;
let pool: mysql.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = mysql.createPool({ uri: db.url(), connectionLimit: 2 });
  await ensureSharedTables(pool);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const pieceCount = async (id: string) => Number((await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM shared_outbox_chunks WHERE id = ?', [id]))[0]!.n);

describe('shared outbox: list, retry, discard', () => {
  it('lists newest first with previews, filters by slot and status; retry and discard change only the states they may', async () => {
    await setLease(db, 21, 'node-b', 7);
    let believed = { node: 'node-b', fence: 7 };
    const outbox = new MysqlOutbox(pool, () => believed);
    const other = await outbox.enqueue(22, 'phone:15550100001', 'text', { text: 'another slot' }, 1000);
    const inFlight = await outbox.enqueue(21, 'phone:15550100002', 'text', { text: 'in flight' }, 1001);
    const refused = await outbox.enqueue(21, '15550100003@c.us', 'poll', { poll: { question: 'Lunch?', options: ['a', 'b'] } }, 1002);
    const big = await outbox.enqueue(21, 'phone:15550100004', 'media', { media: { base64: 'A'.repeat(PIECE_CHARS + 10), mimetype: 'image/jpeg', caption: 'big' } }, 1003);
    const waiting = await outbox.enqueue(21, 'phone:15550100005', 'media', { media: { base64: 'QUJD', mimetype: 'image/jpeg', caption: 'x'.repeat(250) } }, 1004);

    // node-b claims "in flight" and dies; node-a (fence 8) finds it interrupted: unconfirmed.
    const [first] = await outbox.unfinished(21);
    expect(await outbox.claim(first!)).toBe(true);
    await setLease(db, 21, 'node-a', 8);
    believed = { node: 'node-a', fence: 8 };
    const [interrupted] = await outbox.unfinished(21);
    expect(await outbox.settleInterrupted(interrupted!, 'Not confirmed')).toBe('unconfirmed');
    await outbox.markFailed(refused, 'not on WhatsApp');
    await outbox.markFailed(big, 'WhatsApp did not accept the message');

    const all = await outbox.list({ slot: 21, limit: 200 });
    expect(all.map((e) => [e.outboxId, e.status, e.preview])).toEqual([
      [waiting, 'pending', 'x'.repeat(200)],
      [big, 'failed', null], // stored in pieces: no preview
      [refused, 'failed', 'Lunch?'],
      [inFlight, 'failed', 'in flight'],
    ]);
    expect(all[2]).toEqual({ outboxId: refused, slot: 21, chatId: '15550100003@c.us', kind: 'poll', preview: 'Lunch?', status: 'failed', error: 'not on WhatsApp', unconfirmed: false, createdAt: 1002 });
    expect(all[3]).toMatchObject({ phone: '15550100002', unconfirmed: true, error: 'Not confirmed' });
    expect((await outbox.list({ status: 'unconfirmed', limit: 200 })).map((e) => e.outboxId)).toEqual([inFlight]);
    expect((await outbox.list({ status: 'failed', limit: 2 })).map((e) => e.outboxId)).toEqual([big, refused]);
    expect((await outbox.list({ status: 'pending', limit: 200 })).map((e) => e.outboxId)).toEqual([waiting, other]);

    // Retry: as never tried (no claim, not unconfirmed), so the owner's drain claims and sends it.
    expect(await outbox.retry(inFlight)).toBe(true);
    expect(await outbox.status(inFlight)).toEqual({ outboxId: inFlight, slot: 21, status: 'pending', messageId: null, error: null, unconfirmed: false });
    const [again] = await outbox.unfinished(21);
    expect(again).toMatchObject({ id: inFlight, status: 'pending', attemptedAt: null });
    expect(await outbox.retry(inFlight)).toBe(false); // not failed any more
    expect(await outbox.retry(big)).toBe(false); // its pieces went when it failed
    expect(await outbox.retry('00000000-0000-0000-0000-00000000dead')).toBe(false);

    // Discard: pending or failed; never an entry being sent.
    expect(await outbox.claim(again!)).toBe(true);
    expect(await outbox.discard(inFlight)).toBe(false);
    expect(await outbox.discard(waiting)).toBe(true);
    expect(await outbox.discard(refused)).toBe(true);
    expect(await outbox.status(refused)).toBeNull();
    const pending = await outbox.enqueue(21, 'phone:15550100006', 'media', { media: { base64: 'B'.repeat(PIECE_CHARS + 10), mimetype: 'image/jpeg' } });
    expect(await pieceCount(pending)).toBe(2);
    expect(await outbox.discard(pending)).toBe(true);
    expect(await pieceCount(pending)).toBe(0);
  });
});
