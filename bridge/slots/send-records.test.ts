// SendRecords beyond the happy path: the retry timer (one per outage, stopped on recovery and
// close), the memory bound, an asynchronous (cluster MySQL) ledger saving one record at a time,
// and what the operator reads in the log.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ArchivedMessage } from '../domain/index.js';
import type { LedgerPort, SentRecord } from '../state/sent-ledger.js';
import { SendRecords } from './send-records.js';

const RETRY_MS = 1000;

function message(id: string): ArchivedMessage {
  return { id, chatId: '962781523783@c.us', body: 'hi', fromMe: 1, timestamp: 1, type: 'chat', hasMedia: 0, senderName: '', ack: 1 };
}

/** A pino logger whose lines land in an array (level, msg and fields). */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

/** A synchronous ledger (the local SQLite file) that throws while `full` is set, counting every try. */
function syncLedger() {
  const l = {
    full: false,
    tries: 0,
    saved: [] as string[],
    save(r: SentRecord) {
      l.tries++;
      if (l.full) throw new Error('SQLITE_FULL');
      l.saved.push(r.message.id);
    },
    beginAttempt() {
      throw new Error('SQLITE_FULL');
    },
    openAttempt: () => null,
    has: () => false,
    unarchived: () => [],
    markArchived: () => undefined,
  };
  return l;
}

/** An asynchronous ledger (the cluster's MySQL): each save answers when the test settles it. */
function asyncLedger() {
  const calls: { id: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const l = {
    calls,
    /** Answer every save at once from now on. */
    instant: false,
    save(r: SentRecord): Promise<void> {
      if (l.instant) {
        calls.push({ id: r.message.id, resolve: () => undefined, reject: () => undefined });
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => void calls.push({ id: r.message.id, resolve, reject }));
    },
    beginAttempt: async () => undefined,
    openAttempt: async () => null,
    has: async () => false,
    unarchived: async () => [],
    markArchived: async () => undefined,
  };
  return l;
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('SendRecords retry timer', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] }));
  afterEach(() => void vi.useRealTimers());

  it('retries once per interval while the disk stays full (one timer, not one per failure)', () => {
    const l = syncLedger();
    const records = new SendRecords(l as unknown as LedgerPort, pino({ level: 'silent' }), RETRY_MS);
    l.full = true;
    records.save({ slot: 1, message: message('m1') });
    expect(l.tries).toBe(1);
    for (let round = 1; round <= 4; round++) {
      vi.advanceTimersByTime(RETRY_MS);
      expect(l.tries).toBe(1 + round);
    }
    l.full = false;
    vi.advanceTimersByTime(RETRY_MS);
    expect(l.saved).toEqual(['m1']);
    records.close();
  });

  it('stops its timer once everything is saved; a later outage starts exactly one again', () => {
    const l = syncLedger();
    const records = new SendRecords(l as unknown as LedgerPort, pino({ level: 'silent' }), RETRY_MS);
    l.full = true;
    records.save({ slot: 1, message: message('m1') });
    l.full = false;
    vi.advanceTimersByTime(RETRY_MS);
    expect(records.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    const tries = l.tries;
    l.full = true;
    records.save({ slot: 1, message: message('m2') });
    vi.advanceTimersByTime(3 * RETRY_MS);
    expect(l.tries - tries).toBe(1 + 3);
    records.close();
  });

  it('close tries once more and then stops retrying', () => {
    const l = syncLedger();
    const records = new SendRecords(l as unknown as LedgerPort, pino({ level: 'silent' }), RETRY_MS);
    l.full = true;
    records.save({ slot: 1, message: message('m1') });
    records.close();
    expect(l.tries).toBe(2);
    vi.advanceTimersByTime(10 * RETRY_MS);
    expect(l.tries).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
    expect(records.pending).toBe(1); // still answered from memory
  });
});

describe('SendRecords logging', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
  afterEach(() => void vi.useRealTimers());

  it('logs one error per outage with the slot and the cause, not one per retry', () => {
    const l = syncLedger();
    const { logger, lines } = capturedLogger();
    const records = new SendRecords(l as unknown as LedgerPort, logger, RETRY_MS);
    l.full = true;
    records.save({ slot: 3, message: message('m1') });
    records.save({ slot: 3, message: message('m2') });
    vi.advanceTimersByTime(5 * RETRY_MS);
    const errors = lines.filter((x) => x.level === 50);
    expect(errors).toEqual([
      expect.objectContaining({ slot: 3, err: 'SQLITE_FULL', msg: 'state: could not save a sent message; kept in memory and retried' }),
    ]);
    records.close();
  });

  it('a failed attempt note is a warning with the slot and the cause, never a thrown error', async () => {
    const l = syncLedger();
    const { logger, lines } = capturedLogger();
    const records = new SendRecords(l as unknown as LedgerPort, logger, RETRY_MS);
    await expect(records.beginAttempt(4, 'k', 'phone:1', 'hi')).resolves.toBeUndefined();
    expect(lines).toEqual([expect.objectContaining({ level: 40, slot: 4, err: 'SQLITE_FULL', msg: 'state: could not note a send attempt' })]);
  });
});

describe('SendRecords memory bound', () => {
  it('keeps at most 20,000 unsaved records: the oldest is dropped, counted and forgotten', () => {
    const l = syncLedger();
    const records = new SendRecords(l as unknown as LedgerPort, pino({ level: 'silent' }), 60_000);
    l.full = true;
    records.save({ slot: 1, message: message('m0'), idempotency: { key: 'k0', result: { messageId: 'm0' } }, outboxId: 'o0' });
    for (let i = 1; i < 20_000; i++) records.save({ slot: 1, message: message(`m${i}`) });
    expect([records.pending, records.dropped]).toEqual([20_000, 0]);
    expect(records.result(1, 'k0')).toEqual({ messageId: 'm0' });
    records.save({ slot: 1, message: message('m20000'), idempotency: { key: 'k1', result: { messageId: 'm20000' } } });
    expect([records.pending, records.dropped]).toEqual([20_000, 1]);
    expect(records.result(1, 'k0')).toBeUndefined();
    expect(records.sentOutboxEntry('o0')).toBeUndefined();
    expect(records.has(1, 'm0')).toBe(false);
    expect(records.result(1, 'k1')).toEqual({ messageId: 'm20000' });
    records.close();
  });
});

describe('SendRecords with an asynchronous ledger', () => {
  it('saves one record at a time, oldest first, and answers from memory until each is saved', async () => {
    const l = asyncLedger();
    const records = new SendRecords(l as unknown as LedgerPort, pino({ level: 'silent' }), 60_000);
    records.save({ slot: 1, message: message('m1'), idempotency: { key: 'k1', result: { messageId: 'm1' } } });
    records.save({ slot: 1, message: message('m2'), outboxId: 'o2' });
    expect(l.calls.map((c) => c.id)).toEqual(['m1']); // the second waits for the first
    expect(records.result(1, 'k1')).toEqual({ messageId: 'm1' });
    l.calls[0]!.resolve();
    await flush();
    expect(records.result(1, 'k1')).toBeUndefined();
    expect(l.calls.map((c) => c.id)).toEqual(['m1', 'm2']);
    expect(records.pending).toBe(1);
    expect(records.sentOutboxEntry('o2')).toBe('m2');
    l.calls[1]!.resolve();
    await flush();
    expect(records.pending).toBe(0);
    expect(records.sentOutboxEntry('o2')).toBeUndefined();
    records.close();
  });

  it('settled() resolves once the record is in the ledger (at once with a synchronous one) or its save failed, not before', async () => {
    const l = asyncLedger();
    const records = new SendRecords(l as unknown as LedgerPort, pino({ level: 'silent' }), 60_000);
    const first = { slot: 1, message: message('m1'), outboxId: 'o1' };
    const second = { slot: 1, message: message('m2'), outboxId: 'o2' };
    records.save(first);
    records.save(second);
    const seen: string[] = [];
    void records.settled(second).then(() => seen.push('m2'));
    void records.settled(first).then(() => seen.push('m1'));
    await flush();
    expect(seen).toEqual([]);
    l.calls[0]!.resolve();
    await flush();
    expect(seen).toEqual(['m1']);
    l.calls[1]!.resolve();
    await flush();
    expect(seen).toEqual(['m1', 'm2']);
    await records.settled(second); // already stored: at once
    const sync = new SendRecords(syncLedger() as unknown as LedgerPort, pino({ level: 'silent' }), 60_000);
    const r = { slot: 1, message: message('m3') };
    sync.save(r);
    await sync.settled(r);
    // A failing save does not hold anyone: the record stays in memory, the waiter goes on.
    const third = { slot: 1, message: message('m4'), outboxId: 'o4' };
    records.save(third);
    const waiting = records.settled(third);
    l.calls[2]!.reject(new Error('gone'));
    await waiting;
    expect(records.sentOutboxEntry('o4')).toBe('m4');
    records.close();
    sync.close();
  });

  it('a rejected save (even without a reason) keeps the record and retries it on the timer', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const l = asyncLedger();
      const { logger, lines } = capturedLogger();
      const records = new SendRecords(l as unknown as LedgerPort, logger, RETRY_MS);
      records.save({ slot: 2, message: message('m1'), idempotency: { key: 'k1', result: { messageId: 'm1' } } });
      l.calls[0]!.reject(undefined);
      await flush();
      expect(records.pending).toBe(1);
      expect(records.result(2, 'k1')).toEqual({ messageId: 'm1' });
      expect(lines.filter((x) => x.level === 50)).toEqual([expect.objectContaining({ slot: 2 })]);
      vi.advanceTimersByTime(RETRY_MS);
      expect(l.calls.map((c) => c.id)).toEqual(['m1', 'm1']);
      l.calls[1]!.resolve();
      await flush();
      expect(records.pending).toBe(0);
      expect(records.result(2, 'k1')).toBeUndefined();
      records.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a record dropped by the memory bound while its save was under way does not take its successor with it', async () => {
    const l = asyncLedger();
    const records = new SendRecords(l as unknown as LedgerPort, pino({ level: 'silent' }), 60_000);
    for (let i = 0; i <= 20_000; i++) records.save({ slot: 1, message: message(`m${i}`) });
    expect(records.dropped).toBe(1); // m0, whose save is still under way
    l.instant = true;
    l.calls[0]!.resolve();
    await vi.waitFor(() => expect(records.pending).toBe(0));
    const ids = l.calls.map((c) => c.id);
    expect(ids.slice(0, 3)).toEqual(['m0', 'm1', 'm2']);
    expect(ids).toHaveLength(20_001);
    records.close();
  });
});
