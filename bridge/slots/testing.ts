// Test kit (not in the build): the one send path with a scripted engine and the real local stores.
// Used by messenger-unit.test.ts and messenger-cluster.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { vi } from 'vitest';
import { BridgeError, type ArchivedMessage } from '../domain/index.js';
import { openStateDb, type StateDb } from '../state/db.js';
import { IdempotencyStore, OutboxStore } from '../state/outbox.js';
import { SentLedger } from '../state/sent-ledger.js';
import { Messenger, type MessengerEvents } from './messenger.js';
import { SendLimiter } from './rate-limit.js';
import { SlotRegistry } from './registry.js';
import { SendRecords } from './send-records.js';
import type { Slot } from './slot.js';

/** A message as the engine answers a send. */
export function sent(chatId: string, body: string, n: number): ArchivedMessage {
  return { id: `true_${chatId}_${n}`, chatId, body, fromMe: 1, timestamp: Math.floor(Date.now() / 1000), type: 'chat', hasMedia: 0, senderName: '', ack: 1 };
}

const cleanups: (() => void)[] = [];

/** Close every store and remove every folder made by `messengerKit` (call in afterEach). */
export function closeMessengerKits(): void {
  for (const c of cleanups.splice(0).reverse()) c();
}

export interface MessengerKitOptions<O extends OutboxStore> {
  ready?: boolean;
  perMinute?: number;
  /** The outbox the messenger uses (default: the local store). */
  outbox?: (db: StateDb) => O;
}

/** Slot 1 with a scripted engine (15550190000 is not on WhatsApp), the real state database and stores. */
export function messengerKit<O extends OutboxStore = OutboxStore>(opts: MessengerKitOptions<O> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-messenger-'));
  const db = openStateDb(dir);
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }), () => db.close());
  let n = 0;
  const engine = {
    resolvePhone: vi.fn(async (digits: string) => (digits === '15550190000' ? null : `${digits}@c.us`)),
    sendText: vi.fn(async (chatId: string, text: string) => sent(chatId, text, ++n)),
    sendMedia: vi.fn(async (chatId: string, media: { caption?: string }) => ({ ...sent(chatId, media.caption ?? '', ++n), type: 'image', hasMedia: 1 as const })),
    sendPoll: vi.fn(async (chatId: string, poll: { question: string }) => ({ ...sent(chatId, poll.question, ++n), type: 'poll' })),
    getMessages: vi.fn(async () => [] as ArchivedMessage[]),
    getState: vi.fn(async () => 'CONNECTED'),
  };
  const slot = {
    number: 1,
    ready: opts.ready ?? true,
    reconnecting: false,
    requireEngine() {
      if (!this.ready) throw new BridgeError('NOT_CONNECTED', 'slot 1 is not ready (stopped)');
      return engine;
    },
  };
  const events = { onSent: vi.fn(), onFailed: vi.fn(), onOutboxSent: vi.fn(), onOutboxFailed: vi.fn() } satisfies MessengerEvents;
  const outbox = opts.outbox ? opts.outbox(db) : (new OutboxStore(db) as O);
  const limiter = new SendLimiter({ ratePerMinute: opts.perMinute ?? 100, ratePerHour: 1000, ratePerDay: 10_000 }, db);
  const logger = pino({ level: 'silent' });
  const sendRecords = new SendRecords(new SentLedger(db), logger, 20);
  cleanups.push(() => sendRecords.close());
  const messenger = new Messenger(new SlotRegistry([slot as unknown as Slot]), outbox, new IdempotencyStore(db), limiter, events, logger, sendRecords);
  return { messenger, engine, slot, events, outbox, db };
}
