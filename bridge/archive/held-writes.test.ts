// A full disk under the SQLite archive: batches SQLite cannot store are kept (memory, then
// spool), reported in health, and written once space returns — never dropped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ArchivedMessage } from '../domain/index.js';
import { SqliteArchiveDb } from './sqlite-db.js';
import { SqliteArchiveStore } from './sqlite.js';
import { SqliteWorkerClient } from './worker-client.js';

const logger = pino({ level: 'silent' });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wa-held-'));

function msg(i: number, body = `message ${i}`): ArchivedMessage {
  return { id: `true_1555@c.us_${i}`, chatId: '1555@c.us', body, fromMe: 1, timestamp: 1_700_000_000 + i, type: 'chat', hasMedia: 0, senderName: 'Me', ack: 1 };
}

/** The full-disk double: while `full`, every batch the writer thread gets fails as SQLite's SQLITE_FULL does. */
function fullDisk() {
  const state = { full: true };
  const real = SqliteWorkerClient.prototype.call;
  vi.spyOn(SqliteWorkerClient.prototype, 'call').mockImplementation(function (this: SqliteWorkerClient, method: string, ...args: unknown[]) {
    if (state.full && method === 'apply') return Promise.reject(new Error('database or disk is full'));
    return real.call(this, method, ...args);
  } as typeof real);
  return state;
}

afterEach(() => vi.restoreAllMocks());

describe('SQLite on a full disk', () => {
  it('a batch SQLite cannot store fails whole (it is not counted as bad ops and dropped)', () => {
    const db = new SqliteArchiveDb(path.join(tmp(), 'a.db'));
    const raw = (db as unknown as { db: { pragma: (s: string, o?: object) => unknown } }).db;
    const pages = raw.pragma('page_count', { simple: true }) as number;
    raw.pragma(`max_page_count = ${pages}`); // the file may not grow: a real SQLITE_FULL
    const big = 'x'.repeat(4000);
    expect(() => db.apply(Array.from({ length: 50 }, (_, i) => ({ op: 'message' as const, slot: 1, message: msg(i, big), text: big })))).toThrow(/full/);
    db.close();
  });

  it('keeps failed batches, says so in health, and writes them when space returns', async () => {
    const disk = fullDisk();
    const dir = tmp();
    const store = new SqliteArchiveStore({ file: path.join(dir, 'archive.db'), logger, batchWindowMs: 10, retryMs: 30, heldInMemory: 20 });
    await store.init();
    for (let i = 0; i < 15; i++) store.saveMessage(1, msg(i));
    await store.flush();
    for (let i = 15; i < 50; i++) store.saveMessage(1, msg(i));
    await store.flush();
    const h = store.health();
    expect(h.ok).toBe(false);
    expect(h.pending).toBe(50);
    expect(h.error).toMatch(/50 writes not stored yet \(database or disk is full\)/);
    // Past the in-memory bound the rest went to the spool file.
    expect(fs.readFileSync(path.join(dir, 'archive.db.retry.jsonl'), 'utf8').trim().split('\n')).toHaveLength(35);
    expect(await store.getMessage(1, msg(0).id)).toBeNull();

    disk.full = false;
    for (let i = 50; i < 55; i++) store.saveMessage(1, msg(i));
    await vi.waitFor(() => expect(store.health()).toMatchObject({ ok: true, pending: 0, error: null }), { timeout: 5000, interval: 20 });
    const rows = await store.listMessages(1, '1555@c.us', 100, 0);
    expect(rows).toHaveLength(55);
    // Order kept: the held writes went in before the new ones.
    expect(rows.at(-1)!.body).toBe('message 0');
    expect(fs.existsSync(path.join(dir, 'archive.db.retry.jsonl'))).toBe(false);
    await store.close();
  });

  it('what is still held at a stop is in the spool, and the next start writes it', async () => {
    const disk = fullDisk();
    const dir = tmp();
    const file = path.join(dir, 'archive.db');
    const first = new SqliteArchiveStore({ file, logger, batchWindowMs: 10, retryMs: 60_000 });
    await first.init();
    for (let i = 0; i < 10; i++) first.saveMessage(1, msg(i));
    await first.close();
    disk.full = false;
    const second = new SqliteArchiveStore({ file, logger, batchWindowMs: 10, retryMs: 60_000 });
    await second.init();
    await vi.waitFor(() => expect(second.health()).toMatchObject({ ok: true, pending: 0 }), { timeout: 5000, interval: 20 });
    expect(await second.listMessages(1, '1555@c.us', 100, 0)).toHaveLength(10);
    await second.close();
  });
});
