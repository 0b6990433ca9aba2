// createBridge(config): wires the parts — state, archive, engine, slots, HTTP, WebSocket, push —
// and gives the headless entry, the tests and the desktop shell one object to start and stop.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { createArchiveStore } from './archive/index.js';
import type { ArchiveStore } from './archive/types.js';
import { AuditLog } from './auth/audit.js';
import { loadAdminToken, TokenStore } from './auth/tokens.js';
import type { BridgeConfig } from './config.js';
import type { BridgeContext } from './context.js';
import { MessageSequence, type ArchivedMessage, type ChatRow, type MessageRow } from './domain/index.js';
import { createEngineFactory, sweepLeftovers } from './engine/index.js';
import type { EngineEvent, EngineFactory } from './engine/types.js';
import { createApp } from './http/app.js';
import { createAddressCheck } from './http/network.js';
import { LogBuffer } from './log-buffer.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createPushService } from './push/index.js';
import { Messenger } from './slots/messenger.js';
import { SendLimiter } from './slots/rate-limit.js';
import { SlotRegistry } from './slots/registry.js';
import { Slot, type SlotHooks } from './slots/slot.js';
import { openStateDb, type StateDb } from './state/db.js';
import { IdempotencyStore, OutboxStore, SlotWishes } from './state/outbox.js';
import type { Bridge, BridgeEvent } from './types.js';
import { WsHub } from './ws/hub.js';

export interface BridgeOptions {
  /** Test doubles or the desktop shell's choices; the defaults follow the config. */
  archive?: ArchiveStore;
  engineFactory?: EngineFactory;
  logDestination?: pino.DestinationStream;
  rendererDir?: string;
}

const STOP_DEADLINE_MS = 9000;
/** How long requests in flight at a stop may take before their connections are cut. */
const REQUEST_GRACE_MS = 2000;
const CHAT_LOOKUP_MS = 2000;

/** The API's message row (plus chatId, and a poll's options) from what the engine reports. */
export function messageRow(m: ArchivedMessage): MessageRow & { chatId: string; pollOptions?: string[] } {
  const { id, chatId, body, fromMe, timestamp, type, hasMedia, senderName, ack, seq } = m;
  const row = { id, chatId, body, fromMe, timestamp, type, hasMedia, senderName, ack, ...(seq !== undefined ? { seq } : {}) };
  return m.type === 'poll' && m.pollOptions ? { ...row, pollOptions: m.pollOptions } : row;
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([promise.catch(() => fallback), new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);
}

export function createBridge(config: BridgeConfig, options: BridgeOptions = {}): Bridge {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const logs = new LogBuffer();
  const logger = createLogger(
    config.logLevel,
    pino.multistream([{ stream: options.logDestination ?? process.stdout }, { stream: logs }]),
  );
  const adminToken = loadAdminToken(config.dataDir, config.adminToken);
  const listeners = new Set<(event: BridgeEvent) => void>();
  let ctx: BridgeContext | null = null;
  let hub: WsHub | null = null;
  let stateDb: StateDb | null = null;
  let stopping: Promise<void> | null = null;

  const server = http.createServer((req, res) => {
    res.statusCode = 503;
    res.end('starting');
  });

  function emit(event: BridgeEvent, local: BridgeEvent = event): void {
    hub?.broadcast(event);
    for (const listener of listeners) {
      try {
        listener(local);
      } catch (err) {
        logger.error({ err }, 'bridge event listener failed');
      }
    }
  }

  function onMessage(c: BridgeContext, slot: Slot, engineMessage: ArchivedMessage): void {
    const message = { ...engineMessage, seq: c.sequence.assign(slot.number, engineMessage) };
    c.archive.saveMessage(slot.number, message);
    const row = messageRow(message);
    if (message.fromMe) return emit({ type: 'new_message', slot: slot.number, message: row }, { type: 'new_message', slot: slot.number, message: row, chat: null });
    c.metrics.messagesReceived.inc({ slot: String(slot.number) });
    hub?.broadcast({ type: 'new_message', slot: slot.number, message: row });
    // Push and desktop notifications need the chat's mute state; the broadcast never waits for it.
    let lookup: Promise<ChatRow | null>;
    try {
      lookup = slot.requireEngine().getChat(message.chatId);
    } catch {
      lookup = Promise.resolve(null);
    }
    void withTimeout(lookup, CHAT_LOOKUP_MS, null).then((chat) => {
      c.push.onMessage(slot.number, row, chat);
      const local: BridgeEvent = { type: 'new_message', slot: slot.number, message: row, chat };
      for (const listener of listeners) listener(local);
    });
  }

  function onEngineEvent(c: BridgeContext, slot: Slot, event: EngineEvent): void {
    const n = slot.number;
    switch (event.type) {
      case 'message':
        return onMessage(c, slot, event.message);
      case 'message_ack':
        c.archive.updateAck(n, event.update.messageId, event.update.ack);
        return emit({ type: 'message_ack', slot: n, ...event.update });
      case 'poll_vote':
        c.archive.savePollVote(n, event.vote);
        return emit({ type: 'poll_vote', slot: n, ...event.vote });
      case 'message_edit':
        return c.archive.saveEdit(n, event.messageId, event.body);
      case 'message_revoke':
        return c.archive.saveRevoke(n, event.messageId);
      default:
        return;
    }
  }

  async function start(): Promise<void> {
    const metrics = createMetrics();
    stateDb = openStateDb(config.dataDir);
    const tokens = new TokenStore(stateDb, adminToken);
    const wishes = new SlotWishes(stateDb);
    const archive = options.archive ?? createArchiveStore(config, logger);
    await archive.init();
    await sweepLeftovers(config, logger);
    const factory = options.engineFactory ?? (await createEngineFactory(config, logger));
    const allowAddress = createAddressCheck(config.allowCidrs);

    const hooks: SlotHooks = {
      onState: (slot) => {
        emit({ type: 'status', slot: slot.number, ready: slot.ready, state: slot.state });
        if (slot.ready) void ctx?.messenger.drain(slot.number).catch((err) => logger.error({ err, slot: slot.number }, 'outbox drain failed'));
      },
      onQr: (slot, qr) => emit({ type: 'qr', slot: slot.number, qr: qr.png }),
      onEngineEvent: (slot, event) => ctx && onEngineEvent(ctx, slot, event),
      onWish: (slot, connected) => wishes.set(slot.number, connected),
      onRestart: (slot) => metrics.reconnects.inc({ slot: String(slot.number) }),
      onQrScanned: (slot) => metrics.qrScans.inc({ slot: String(slot.number) }),
    };
    const policy = {
      reconnectAttempts: config.reconnectAttempts,
      reconnectDelayMs: config.reconnectDelayMs,
      watchdogIntervalMs: config.watchdogIntervalMs,
      watchdogTimeoutMs: config.watchdogTimeoutMs,
      qrMaxRefreshes: config.qrMaxRefreshes,
      memoryLimitBytes: config.memoryLimitMb * 1024 * 1024,
    };
    const slots = Array.from({ length: config.slots }, (_, i) => {
      const n = i + 1;
      return new Slot(n, path.join(config.dataDir, 'slots', `slot-${n}`), factory, policy, hooks, logger);
    });
    const registry = new SlotRegistry(slots);
    const sequence = new MessageSequence();
    const messenger = new Messenger(
      registry,
      new OutboxStore(stateDb),
      new IdempotencyStore(stateDb),
      new SendLimiter(config),
      {
        onSent: (n, message) => {
          metrics.messagesSent.inc({ slot: String(n) });
          archive.saveMessage(n, { ...message, seq: sequence.assign(n, message) });
        },
        onFailed: (n) => metrics.messagesFailed.inc({ slot: String(n) }),
        onOutboxSent: (n, outboxId, messageId) => emit({ type: 'outbox_sent', slot: n, outboxId, messageId }),
        onOutboxFailed: (n, outboxId, error) => emit({ type: 'outbox_failed', slot: n, outboxId, error }),
      },
      logger,
    );
    const hubRef: { current: WsHub | null } = { current: null };
    const push = createPushService({
      db: stateDb,
      serviceAccountPath: config.firebaseServiceAccount,
      logger,
      registry: metrics.registry,
      isDeviceOnline: (deviceId) => hubRef.current?.isDeviceOnline(deviceId) ?? false,
    });
    ctx = {
      config,
      logger,
      metrics,
      registry,
      messenger,
      archive,
      sequence,
      tokens,
      audit: new AuditLog(stateDb),
      push,
      logs,
      hub: { closeDevice: (id) => hubRef.current?.closeDevice(id), clientCount: () => hubRef.current?.clientCount() ?? 0 },
      startedAt: Date.now(),
    };
    hub = hubRef.current = new WsHub(ctx, allowAddress);
    const app = createApp(ctx, { allowAddress, boundPort: () => bridge.port, rendererDir: options.rendererDir });
    server.removeAllListeners('request');
    server.on('request', app);
    hub.attach(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    logger.info({ url: bridge.url, engine: config.engine, slots: config.slots, archive: archive.backend }, 'WA Bridge listening');

    for (const n of wishes.connectedSlots()) {
      if (n <= registry.size) registry.get(n).connect();
    }
  }

  /** HTTP and sockets first (no request may reach a closed store), then slots, push, archive. */
  async function shutdown(): Promise<void> {
    const closing = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await hub?.close();
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, REQUEST_GRACE_MS).unref())]);
    server.closeAllConnections();
    if (ctx) {
      const c = ctx;
      await Promise.all(c.registry.slots.map((slot) => slot.shutdown()));
      await c.push.close();
      await c.archive.close();
    }
    stateDb?.close();
    await closing;
  }

  const bridge: Bridge = {
    start,
    stop() {
      stopping ??= Promise.race([
        shutdown(),
        new Promise<void>((resolve) => setTimeout(() => {
          logger.error('graceful stop took too long; stopping anyway');
          resolve();
        }, STOP_DEADLINE_MS).unref()),
      ]);
      return stopping;
    },
    server,
    get port() {
      const address = server.address() as AddressInfo | null;
      return address?.port ?? config.port;
    },
    get url() {
      return `http://127.0.0.1:${bridge.port}`;
    },
    adminToken,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return bridge;
}

export type { Logger };
