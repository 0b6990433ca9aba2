// The shared outbox on MariaDB: an entry whose send was interrupted under another lease is failed
// as unconfirmed (never sent again by the bridge); one claimed under the lease held now may be
// sent again; nobody without the lease changes anything. Databases made before the `unconfirmed`
// column get it added in place (expand only).
import type { RowDataPacket } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlOutbox } from '../../bridge/cluster/shared/outbox.js';
import { ensureSharedTables } from '../../bridge/cluster/shared/schema.js';
import { MysqlSnapshotStore } from '../../bridge/snapshots/stores/mysql.js';
import { createTestDatabase } from '../archive/mysql-kit.js';
import { setLease, type TestDb } from './routing-kit.js';

const ERROR = 'Not confirmed: test';
let db: TestDb;
let pool: mysql.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = mysql.createPool({ uri: db.url(), connectionLimit: 2 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const columns = async (table: string) =>
  (await db.query<RowDataPacket[]>('SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [table])).map((r) => r.c as string);

describe('shared outbox: interrupted sends across a takeover', () => {
  it('an outbox table of the previous release gains the column in place, its rows kept; preparing twice (two nodes) is harmless', async () => {
    // shared_outbox as the previous release created it.
    await db.query(`CREATE TABLE shared_outbox (
      id CHAR(36) NOT NULL PRIMARY KEY, seq BIGINT NOT NULL AUTO_INCREMENT UNIQUE, slot INT NOT NULL, chat_id VARCHAR(200) NOT NULL,
      kind VARCHAR(8) NOT NULL, payload LONGTEXT NOT NULL, status VARCHAR(8) NOT NULL, attempted_at BIGINT NULL,
      claimed_fence BIGINT NULL, claimed_by VARCHAR(64) NULL, message_id VARCHAR(200) NULL, error TEXT NULL, created_at BIGINT NOT NULL,
      KEY shared_outbox_pending (slot, status, seq)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await db.query(`INSERT INTO shared_outbox (id, slot, chat_id, kind, payload, status, created_at) VALUES ('00000000-0000-0000-0000-000000000001', 5, 'phone:1', 'text', '{"text":"old"}', 'failed', 1)`);
    expect(await columns('shared_outbox')).not.toContain('unconfirmed');
    await Promise.all([ensureSharedTables(pool), ensureSharedTables(pool)]);
    await ensureSharedTables(pool);
    expect(await columns('shared_outbox')).toContain('unconfirmed');
    const outbox = new MysqlOutbox(pool, () => null);
    expect(await outbox.status('00000000-0000-0000-0000-000000000001')).toMatchObject({ status: 'failed', unconfirmed: false });
  });

  it('claimed under fence 7 by a node that died: the new owner (fence 8) fails it as unconfirmed; a zombie or a stranger changes nothing', async () => {
    await setLease(db, 9, 'node-b', 7);
    let believed: { node: string; fence: number } | null = { node: 'node-b', fence: 7 };
    const outbox = new MysqlOutbox(pool, () => believed);
    const id = await outbox.enqueue(9, 'phone:15550100003', 'text', { text: 'in flight' });
    const [entry] = await outbox.unfinished(9);
    expect(await outbox.claim(entry!)).toBe(true);
    const [sending] = await outbox.unfinished(9);
    expect(sending).toMatchObject({ status: 'sending', attemptedAt: expect.any(Number) });
    // Still B's own claim under the lease it holds: its own chat decides, so it may send it again.
    expect(await outbox.settleInterrupted(sending!, ERROR)).toBe('resend');
    // B dies; A takes over under fence 8.
    await setLease(db, 9, 'node-a', 8);
    expect(await outbox.settleInterrupted(sending!, ERROR)).toBe('resend'); // B, fenced: nothing changes
    believed = { node: 'node-c', fence: 8 };
    expect(await outbox.settleInterrupted(sending!, ERROR)).toBe('resend'); // not the holder
    believed = null;
    expect(await outbox.settleInterrupted(sending!, ERROR)).toBe('resend'); // no lease at all
    expect(await outbox.status(id)).toMatchObject({ status: 'sending', unconfirmed: false, error: null });
    believed = { node: 'node-a', fence: 8 };
    expect(await outbox.settleInterrupted(sending!, ERROR)).toBe('unconfirmed');
    expect(await outbox.status(id)).toEqual({ outboxId: id, slot: 9, status: 'failed', messageId: null, error: ERROR, unconfirmed: true });
    expect(await outbox.unfinished(9)).toEqual([]);
    expect(await outbox.size(9)).toBe(0);
    // Settled once: a second drain (or node) finds nothing to settle or send.
    expect(await outbox.settleInterrupted(sending!, ERROR)).toBe('resend');
    expect(await outbox.claim(sending!)).toBe(false);
  });

  it('put back pending after a failed send on the old owner counts as interrupted too; a never-tried entry never does', async () => {
    await setLease(db, 10, 'node-b', 3);
    let believed = { node: 'node-b', fence: 3 };
    const outbox = new MysqlOutbox(pool, () => believed);
    const tried = await outbox.enqueue(10, 'phone:15550100004', 'text', { text: 'tried' });
    const fresh = await outbox.enqueue(10, 'phone:15550100004', 'text', { text: 'fresh' });
    const [first, second] = await outbox.unfinished(10);
    expect(await outbox.claim(first!)).toBe(true);
    await outbox.markPending(tried); // the browser died mid-send on B
    await setLease(db, 10, 'node-a', 4);
    believed = { node: 'node-a', fence: 4 };
    const [putBack] = await outbox.unfinished(10);
    expect(putBack).toMatchObject({ id: tried, status: 'pending', attemptedAt: expect.any(Number) });
    expect(await outbox.settleInterrupted(second!, ERROR)).toBe('resend');
    expect(await outbox.status(fresh)).toMatchObject({ status: 'pending', unconfirmed: false });
    expect(await outbox.settleInterrupted(putBack!, ERROR)).toBe('unconfirmed');
    expect(await outbox.status(tried)).toMatchObject({ status: 'failed', unconfirmed: true });
  });

  it('a lease that ended with a clean stop after the attempt (planned move, shutdown): its stop snapshot has the chat, so it is sent again', async () => {
    // The snapshot store's own table, as in cluster mode.
    const snapshots = new MysqlSnapshotStore(db.url());
    snapshots.fencedBy(() => null);
    await snapshots.list(11);
    await snapshots.close();
    const snapshot = (id: string, fence: number, reason: string, createdAt: number) =>
      db.query(
        "INSERT INTO session_snapshots (slot, id, wid, created_at, reason, bytes, sha256, blob_sha256, chunks, format_version, fence) VALUES (11, ?, 'w', ?, ?, 0, '', '', 0, 1, ?)",
        [id, createdAt, reason, fence],
      );
    await setLease(db, 11, 'node-b', 5);
    let believed = { node: 'node-b', fence: 5 };
    const outbox = new MysqlOutbox(pool, () => believed);
    const moved = await outbox.enqueue(11, 'phone:15550100005', 'text', { text: 'moved' });
    const [entry] = await outbox.unfinished(11);
    const attempted = Date.now();
    expect(await outbox.claim(entry!, attempted)).toBe(true);
    await outbox.markPending(moved); // the stop closed the page mid-send
    // Snapshots that do not vouch for it: an interval one of that lease, a stop of an older lease, a stop from before the attempt.
    await snapshot('interval-5', 5, 'interval', attempted + 1000);
    await snapshot('stop-4', 4, 'stop', attempted + 1000);
    await snapshot('early-stop-5', 5, 'stop', attempted - 1);
    await setLease(db, 11, 'node-a', 6);
    believed = { node: 'node-a', fence: 6 };
    const [interrupted] = await outbox.unfinished(11);
    // With the stop snapshot of lease 5 taken after the attempt, the restored chat is authoritative.
    await snapshot('stop-5', 5, 'stop', attempted + 2000);
    expect(await outbox.settleInterrupted(interrupted!, ERROR)).toBe('resend');
    expect(await outbox.status(moved)).toMatchObject({ status: 'pending', unconfirmed: false });
    await db.query("DELETE FROM session_snapshots WHERE id = 'stop-5'");
    expect(await outbox.settleInterrupted(interrupted!, ERROR)).toBe('unconfirmed');
    expect(await outbox.status(moved)).toMatchObject({ status: 'failed', unconfirmed: true });
  });
});
