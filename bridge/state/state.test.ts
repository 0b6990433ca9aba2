// The bridge's local state: schema versions, the durable outbox, idempotency results, slot wishes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStateDb, STATE_SCHEMA_VERSION, type StateDb } from './db.js';
import { IdempotencyStore, OutboxStore, SlotWishes } from './outbox.js';

const dirs: string[] = [];
const open: StateDb[] = [];
function fresh(): { db: StateDb; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-state-'));
  dirs.push(dir);
  const db = openStateDb(dir);
  open.push(db);
  return { db, dir };
}
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('state db', () => {
  it('creates the schema once, in WAL mode, and opens again without migrating twice', () => {
    const { db, dir } = fresh();
    expect(STATE_SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    expect(db.pragma('user_version', { simple: true })).toBe(STATE_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    db.prepare("INSERT INTO slot_wishes (slot, connected) VALUES (1, 1)").run();
    db.close();
    const again = openStateDb(dir);
    open.push(again);
    expect(again.prepare('SELECT COUNT(*) AS n FROM slot_wishes').get()).toEqual({ n: 1 });
  });

  it('refuses a database from a newer bridge', () => {
    const { db, dir } = fresh();
    db.close();
    const raw = new Database(path.join(dir, 'bridge.db'));
    raw.pragma(`user_version = ${STATE_SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openStateDb(dir)).toThrow(
      `bridge.db is schema version ${STATE_SCHEMA_VERSION + 1}, newer than this bridge knows (${STATE_SCHEMA_VERSION}); update WA Bridge`,
    );
  });

  it('rolls a failed migration back as a whole', () => {
    const { db, dir } = fresh();
    db.close();
    const raw = new Database(path.join(dir, 'bridge.db'));
    raw.pragma('user_version = 0');
    raw.close();
    // Version 0 with the tables present: the migration fails on CREATE TABLE and leaves the version at 0.
    expect(() => openStateDb(dir)).toThrow(/already exists/);
    const check = new Database(path.join(dir, 'bridge.db'));
    expect(check.pragma('user_version', { simple: true })).toBe(0);
    check.close();
  });
});

describe('outbox', () => {
  it('keeps entries in order per slot until sent or failed; interrupted sends count as unfinished', async () => {
    const { db } = fresh();
    const outbox = new OutboxStore(db);
    const a = await outbox.enqueue(1, 'phone:962781523783', 'text', { message: 'a' }, 1000);
    const b = await outbox.enqueue(1, '447700900123@c.us', 'poll', { question: 'q' }, 1001);
    const other = await outbox.enqueue(2, '447700900123@c.us', 'media', { mimetype: 'image/png' }, 1002);
    expect(await outbox.size()).toBe(3);
    expect(await outbox.unfinished(1)).toEqual([
      { id: a, slot: 1, target: 'phone:962781523783', kind: 'text', payload: { message: 'a' }, status: 'pending', attemptedAt: null },
      { id: b, slot: 1, target: '447700900123@c.us', kind: 'poll', payload: { question: 'q' }, status: 'pending', attemptedAt: null },
    ]);
    outbox.markSending(a, 5000);
    expect((await outbox.unfinished(1))[0]).toMatchObject({ id: a, status: 'sending', attemptedAt: 5000 });
    await outbox.markPending(a);
    expect((await outbox.unfinished(1))[0]).toMatchObject({ id: a, status: 'pending', attemptedAt: 5000 });
    outbox.markSent(a, 'true_962781523783@c.us_X');
    await outbox.markFailed(b, 'not on WhatsApp');
    expect(await outbox.unfinished(1)).toEqual([]);
    expect(await outbox.size()).toBe(1);
    expect((await outbox.unfinished(2)).map((e) => e.id)).toEqual([other]);
    const rows = db.prepare('SELECT id, status, message_id, error, seq FROM outbox ORDER BY seq').all();
    expect(rows).toEqual([
      { id: a, status: 'sent', message_id: 'true_962781523783@c.us_X', error: null, seq: 1 },
      { id: b, status: 'failed', message_id: null, error: 'not on WhatsApp', seq: 2 },
      { id: other, status: 'pending', message_id: null, error: null, seq: 3 },
    ]);
  });
});

describe('idempotency', () => {
  it('returns the stored result for 24 hours per slot and key, then forgets it', async () => {
    const { db } = fresh();
    const store = new IdempotencyStore(db);
    const day = IdempotencyStore.TTL_MS;
    expect(day).toBe(86_400_000);
    await store.put(1, 'order-1', { messageId: 'm1' }, 1_000_000);
    expect(await store.get(1, 'order-1', 1_000_000)).toEqual({ messageId: 'm1' });
    expect(await store.get(1, 'order-1', 1_000_000 + day)).toEqual({ messageId: 'm1' }); // exactly 24 h: still kept
    expect(await store.get(1, 'order-1', 1_000_000 + day + 1)).toBeNull();
    expect(await store.get(2, 'order-1', 1_000_000)).toBeNull();
    expect(await store.get(1, 'order-2', 1_000_000)).toBeNull();
    await store.put(1, 'order-1', { messageId: 'm2' }, 1_000_001); // a later put replaces
    expect(await store.get(1, 'order-1', 1_000_001)).toEqual({ messageId: 'm2' });
  });

  it('prunes expired keys when storing new ones (only those past 24 h)', async () => {
    const { db } = fresh();
    const store = new IdempotencyStore(db);
    const day = IdempotencyStore.TTL_MS;
    await store.put(1, 'old', { messageId: 'o' }, 0);
    await store.put(1, 'edge', { messageId: 'e' }, 10);
    await store.put(1, 'new', { messageId: 'n' }, day + 10);
    const keys = (db.prepare('SELECT key FROM idempotency ORDER BY key').all() as { key: string }[]).map((r) => r.key);
    expect(keys).toEqual(['edge', 'new']);
  });
});

describe('slot wishes', () => {
  it('remembers which slots the owner left connected, in slot order', () => {
    const { db } = fresh();
    const wishes = new SlotWishes(db);
    expect(wishes.connectedSlots()).toEqual([]);
    wishes.set(3, true);
    wishes.set(1, true);
    wishes.set(2, false);
    expect(wishes.connectedSlots()).toEqual([1, 3]);
    wishes.set(3, false);
    expect(wishes.connectedSlots()).toEqual([1]);
  });
});
