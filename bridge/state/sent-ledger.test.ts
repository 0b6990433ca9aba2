// The sent-message ledger on the local state database: one transaction per send, keyed-send
// attempts, the archive replay list, and how long archived ids are remembered.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArchivedMessage } from '../domain/index.js';
import { openStateDb, type StateDb } from './db.js';
import { OutboxStore } from './outbox.js';
import { SentLedger } from './sent-ledger.js';

const DAY = 24 * 3600 * 1000;
const dirs: string[] = [];
const open: StateDb[] = [];
function fresh(): { db: StateDb; ledger: SentLedger } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-ledger-'));
  dirs.push(dir);
  const db = openStateDb(dir);
  open.push(db);
  return { db, ledger: new SentLedger(db) };
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const message = (id: string, body = `text of ${id}`): ArchivedMessage => ({
  id,
  chatId: '15550100001@c.us',
  body,
  fromMe: 1,
  timestamp: 1_700_000_000,
  type: 'chat',
  hasMedia: 0,
  senderName: 'me',
  ack: 1,
});
const count = (db: StateDb, sql: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${sql}`).get() as { n: number }).n;

describe('SentLedger.save', () => {
  it('records the message for its slot; the same id again keeps the first record', () => {
    const { ledger } = fresh();
    ledger.save({ slot: 1, message: message('m1', 'first') });
    ledger.save({ slot: 1, message: message('m1', 'second') });
    expect(ledger.has(1, 'm1')).toBe(true);
    expect(ledger.has(2, 'm1')).toBe(false);
    expect(ledger.has(1, 'm2')).toBe(false);
    expect(ledger.unarchived()).toEqual([{ slot: 1, message: message('m1', 'first') }]);
  });

  it('with an idempotency key: stores the result a retry gets and ends the open attempt', () => {
    const { db, ledger } = fresh();
    ledger.beginAttempt(1, 'k1', '15550100001@c.us', 'hello');
    ledger.beginAttempt(1, 'k2', '15550100001@c.us', 'other');
    ledger.save({ slot: 1, message: message('m1'), idempotency: { key: 'k1', result: { messageId: 'm1' } } }, 5000);
    expect(db.prepare('SELECT slot, key, result, created_at FROM idempotency').all()).toEqual([
      { slot: 1, key: 'k1', result: '{"messageId":"m1"}', created_at: 5000 },
    ]);
    expect(ledger.openAttempt(1, 'k1')).toBeNull();
    expect(ledger.openAttempt(1, 'k2')).not.toBeNull(); // another key's attempt stays open
  });

  it('from the outbox: marks that entry sent with the message id, no other', async () => {
    const { db, ledger } = fresh();
    const outbox = new OutboxStore(db);
    const sent = await outbox.enqueue(1, '15550100001@c.us', 'text', { message: 'a' });
    const other = await outbox.enqueue(1, '15550100001@c.us', 'text', { message: 'b' });
    ledger.save({ slot: 1, message: message('m1'), outboxId: sent });
    const row = (id: string) => db.prepare('SELECT status, message_id FROM outbox WHERE id = ?').get(id);
    expect(row(sent)).toEqual({ status: 'sent', message_id: 'm1' });
    expect(row(other)).toEqual({ status: 'pending', message_id: null });
  });

  it('is one transaction: when the idempotency result cannot be written, the message is not recorded either', () => {
    const { db, ledger } = fresh();
    ledger.beginAttempt(1, 'k1', '15550100001@c.us', 'hello');
    const unwritable = { messageId: 'm1', size: 1n }; // JSON.stringify throws on a BigInt
    expect(() => ledger.save({ slot: 1, message: message('m1'), idempotency: { key: 'k1', result: unwritable } })).toThrow(TypeError);
    expect(ledger.has(1, 'm1')).toBe(false);
    expect(count(db, 'idempotency')).toBe(0);
    expect(ledger.openAttempt(1, 'k1')).not.toBeNull();
  });
});

describe('SentLedger attempts', () => {
  it('remembers a keyed send until it is saved; beginning it again replaces the target, body and time', () => {
    const { ledger } = fresh();
    expect(ledger.openAttempt(1, 'k1')).toBeNull();
    ledger.beginAttempt(1, 'k1', '15550100001@c.us', 'hello', 1000);
    ledger.beginAttempt(1, 'k1', '15550100002@c.us', 'hello again', 2000);
    expect(ledger.openAttempt(1, 'k1')).toEqual({ target: '15550100002@c.us', body: 'hello again', attemptedAt: 2000 });
    expect(ledger.openAttempt(2, 'k1')).toBeNull(); // keys are per slot
  });
});

describe('SentLedger archive bookkeeping', () => {
  it('lists unarchived messages oldest first, across slots', () => {
    const { ledger } = fresh();
    ledger.save({ slot: 2, message: message('late') }, 3000);
    ledger.save({ slot: 1, message: message('early') }, 1000);
    ledger.save({ slot: 1, message: message('middle') }, 2000);
    expect(ledger.unarchived().map((r) => [r.slot, r.message.id])).toEqual([
      [1, 'early'],
      [1, 'middle'],
      [2, 'late'],
    ]);
  });

  it('marks archived only what was recorded before the mark, keeping its id but not its text', () => {
    const { db, ledger } = fresh();
    ledger.save({ slot: 1, message: message('before') }, 1000);
    ledger.save({ slot: 1, message: message('at') }, 2000);
    ledger.markArchived(2000, 3000);
    expect(ledger.unarchived().map((r) => r.message.id)).toEqual(['at']);
    expect(ledger.has(1, 'before')).toBe(true); // the outbox's "already sent?" check still sees it
    expect(db.prepare("SELECT archived, message FROM sent_messages WHERE message_id = 'before'").get()).toEqual({ archived: 1, message: '' });
  });

  it('forgets archived ids after 7 days, never a message still waiting for the archive', () => {
    const { ledger } = fresh();
    const now = 100 * DAY;
    const keep = 7 * DAY;
    ledger.save({ slot: 1, message: message('old-archived') }, now - keep - 1);
    ledger.save({ slot: 1, message: message('week-archived') }, now - keep);
    ledger.save({ slot: 1, message: message('recent-archived') }, now - 6 * DAY);
    ledger.markArchived(now - 6 * DAY + 1, now);
    ledger.save({ slot: 1, message: message('old-unarchived') }, now - 30 * DAY); // e.g. the archive was down
    ledger.markArchived(now - 40 * DAY, now);
    expect(ledger.has(1, 'old-archived')).toBe(false);
    expect(ledger.has(1, 'week-archived')).toBe(true);
    expect(ledger.has(1, 'recent-archived')).toBe(true);
    expect(ledger.unarchived().map((r) => r.message.id)).toEqual(['old-unarchived']);
  });
});
