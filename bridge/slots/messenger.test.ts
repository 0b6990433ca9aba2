// The send path against storage faults and crashes: a real state DB (with a full-disk double),
// real Slots on the demo engine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { failingDb, type FailingDb } from '../../test/helpers/failing-db.js';
import { createDemoEngineFactory } from '../engine/demo/index.js';
import { openStateDb, type StateDb } from '../state/db.js';
import { IdempotencyStore, OutboxStore } from '../state/outbox.js';
import { SentLedger } from '../state/sent-ledger.js';
import type { ArchivedMessage } from '../domain/index.js';
import { Messenger } from './messenger.js';
import { SendLimiter } from './rate-limit.js';
import { SlotRegistry } from './registry.js';
import { SendRecords } from './send-records.js';
import { Slot, type SlotHooks } from './slot.js';

const logger = pino({ level: 'silent' });
const policy = { reconnectAttempts: 1, reconnectDelayMs: 10, watchdogIntervalMs: 60_000, watchdogTimeoutMs: 1000, qrMaxRefreshes: 5, memoryLimitBytes: 0 };
const hooks: SlotHooks = { onState: () => undefined, onQr: () => undefined, onEngineEvent: () => undefined, onWish: () => undefined, onRestart: () => undefined, onQrScanned: () => undefined };

const open: { slot: Slot; db: StateDb; records: SendRecords }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.slot.shutdown();
    o.records.close();
    o.db.close();
  }
});

/** A Messenger as the bridge builds it, on `dataDir` (a second call = the bridge after a restart). */
async function setup(dataDir: string) {
  const realDb = openStateDb(dataDir);
  const storage: FailingDb = failingDb(realDb);
  const db = storage.db;
  const slot = new Slot(1, path.join(dataDir, 'slots', 'slot-1'), createDemoEngineFactory({ scanMs: 10, replyMs: 60_000, ackStepMs: 60_000 }), policy, hooks, logger);
  const records = new SendRecords(new SentLedger(db), logger, 20);
  open.push({ slot, db: realDb, records });
  const events = { sent: [] as ArchivedMessage[], outboxSent: [] as string[] };
  const messenger = new Messenger(
    new SlotRegistry([slot]),
    new OutboxStore(db),
    new IdempotencyStore(db),
    new SendLimiter({ ratePerMinute: 100, ratePerHour: 1000, ratePerDay: 10_000 }, realDb),
    {
      onSent: (_n, m) => events.sent.push(m),
      onFailed: () => undefined,
      onOutboxSent: (_n, id) => events.outboxSent.push(id),
      onOutboxFailed: () => undefined,
    },
    logger,
    records,
  );
  slot.connect();
  await slot.waitReady(5000);
  const history = async (chatId: string) => (await slot.requireEngine().getMessages(chatId, 100)).filter((m) => m.fromMe === 1);
  return { messenger, storage, slot, events, history, ledger: new SentLedger(realDb), outbox: new OutboxStore(realDb), idempotency: new IdempotencyStore(realDb) };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'messenger-test-'));
const text = (t: string) => ({ kind: 'text' as const, text: t });

describe('a full disk after WhatsApp took the message', () => {
  it('still answers the id; retries with the key get the same id and send nothing again', async () => {
    const t = await setup(tmp());
    t.storage.full = true;
    const req = { slot: 1, phone: '15550700001', content: text('disk is full'), idempotencyKey: 'k-1' };
    const first = await t.messenger.send(req);
    expect(first).toHaveProperty('messageId');
    for (let i = 0; i < 3; i++) expect(await t.messenger.send(req)).toEqual(first);
    expect(await t.history('15550700001@c.us')).toHaveLength(1);
    expect(t.storage.failedWrites).toBeGreaterThan(0);

    // Space returns: the record reaches the state DB, and a retry is answered from there.
    t.storage.full = false;
    await new Promise((r) => setTimeout(r, 60));
    expect(await t.idempotency.get(1, 'k-1')).toEqual(first);
    expect(t.ledger.unarchived().map((r) => r.message.id)).toEqual([(first as { messageId: string }).messageId]);
  });

  it('an outbox entry sent while its mark cannot be saved is not sent again', async () => {
    const t = await setup(tmp());
    const id = await t.outbox.enqueue(1, 'phone:15550700002', 'text', { text: 'queued, disk full' });
    // The disk fills between the `sending` mark and WhatsApp's answer.
    const engine = t.slot.requireEngine();
    const sendText = engine.sendText.bind(engine);
    engine.sendText = async (...args) => {
      t.storage.full = true;
      return sendText(...args);
    };
    await t.messenger.drain(1);
    await t.messenger.drain(1);
    engine.sendText = sendText;
    expect(await t.history('15550700002@c.us')).toHaveLength(1);
    expect(t.events.outboxSent).toEqual([id]);
    t.storage.full = false;
    await new Promise((r) => setTimeout(r, 60));
    expect(await t.outbox.unfinished(1)).toEqual([]);
  });
});

describe('a direct send caught mid-send by a crash', () => {
  it('retried with its key after the restart, answers the id WhatsApp gave and sends nothing again', async () => {
    const dir = tmp();
    const first = await setup(dir);
    // The crash: WhatsApp took it, the bridge died before saving the result.
    new SentLedger(first.storage.db).beginAttempt(1, 'k-crash', '15550700005@c.us', 'mid-send');
    const reached = await first.slot.requireEngine().sendText('15550700005@c.us', 'mid-send');
    await first.slot.shutdown();

    const second = await setup(dir);
    const again = await second.messenger.send({ slot: 1, chatId: '15550700005@c.us', content: text('mid-send'), idempotencyKey: 'k-crash' });
    expect(again).toEqual({ messageId: reached.id });
    expect((await second.history('15550700005@c.us')).map((m) => m.id)).toEqual([reached.id]);
    expect(await second.idempotency.get(1, 'k-crash')).toEqual({ messageId: reached.id });
  });

  it('is sent when WhatsApp never had it', async () => {
    const dir = tmp();
    const first = await setup(dir);
    new SentLedger(first.storage.db).beginAttempt(1, 'k-lost', '15550700006@c.us', 'never arrived');
    await first.slot.shutdown();
    const second = await setup(dir);
    const sent = await second.messenger.send({ slot: 1, chatId: '15550700006@c.us', content: text('never arrived'), idempotencyKey: 'k-lost' });
    expect((await second.history('15550700006@c.us')).map((m) => m.id)).toEqual([(sent as { messageId: string }).messageId]);
  });
});

describe('an outbox entry caught mid-send', () => {
  it('is not sent twice after a restart: the demo engine keeps its history, the id is recorded', async () => {
    const dir = tmp();
    const first = await setup(dir);
    const id = await first.outbox.enqueue(1, 'phone:15550700003', 'text', { text: 'once only' });
    // The crash: marked sending, WhatsApp took it, the bridge died before marking it sent.
    first.outbox.markSending(id);
    const reached = await first.slot.requireEngine().sendText('15550700003@c.us', 'once only');
    await first.slot.shutdown();

    const second = await setup(dir);
    await second.messenger.drain(1);
    expect((await second.history('15550700003@c.us')).map((m) => [m.id, m.body])).toEqual([[reached.id, 'once only']]);
    expect(await second.outbox.unfinished(1)).toEqual([]);
    expect(second.events.outboxSent).toEqual([id]);
    // …and the recognised message goes to the archive with the sent mark.
    expect(second.ledger.unarchived().map((r) => r.message.body)).toEqual(['once only']);
  });

  it('with the same text as an earlier send, is still sent when WhatsApp never had it', async () => {
    const dir = tmp();
    const first = await setup(dir);
    const sent = await first.messenger.send({ slot: 1, phone: '15550700004', content: text('same text') });
    const id = await first.outbox.enqueue(1, 'phone:15550700004', 'text', { text: 'same text' });
    first.outbox.markSending(id); // crashed before reaching WhatsApp
    await first.slot.shutdown();

    const second = await setup(dir);
    await second.messenger.drain(1);
    const mine = await second.history('15550700004@c.us');
    expect(mine.map((m) => m.body)).toEqual(['same text', 'same text']);
    expect(mine.map((m) => m.id)).toContain((sent as { messageId: string }).messageId);
    expect(second.events.outboxSent).toEqual([id]);
  });
});
