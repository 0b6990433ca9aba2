// createBridge(config): wires the parts — state, archive, engine, slots, HTTP, WebSocket, push —
// and gives the headless entry, the tests and the desktop shell one object to start and stop.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { createArchiveStore } from './archive/index.js';
import type { ArchiveStore } from './archive/types.js';
import { createAddressCheck } from './access/network.js';
import { AuditLog } from './auth/audit.js';
import { loadAdminToken, TokenStore } from './auth/tokens.js';
import type { BridgeConfig } from './config.js';
import type { BridgeContext } from './context.js';
import { createEngineFactory, sweepLeftovers } from './engine/index.js';
import type { EngineFactory } from './engine/types.js';
import { createEventRouter, type EventListener } from './events/router.js';
import { createApp } from './http/app.js';
import { LogBuffer } from './log-buffer.js';
import { tolerantOutput } from './log-output.js';
import { MediaService } from './media/service.js';
import { MediaStore } from './media/store.js';
import { Thumbnails } from './media/thumbs.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createPushService } from './push/index.js';
import { Messenger } from './slots/messenger.js';
import { SendLimiter } from './slots/rate-limit.js';
import { SlotRegistry } from './slots/registry.js';
import { Slot, type SlotHooks } from './slots/slot.js';
import { createSnapshotService, withSnapshots } from './snapshots/index.js';
import { openStateDb, type StateDb } from './state/db.js';
import { IdempotencyStore, OutboxStore, SlotWishes } from './state/outbox.js';
import { SentLedger } from './state/sent-ledger.js';
import { SendRecords } from './slots/send-records.js';
import { ArchiveConfirmer } from './state/archive-confirmer.js';
import type { Bridge } from './types.js';
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

export function createBridge(config: BridgeConfig, options: BridgeOptions = {}): Bridge {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const logs = new LogBuffer();
  const logger = createLogger(
    config.logLevel,
    pino.multistream([{ stream: tolerantOutput(options.logDestination ?? process.stdout) }, { stream: logs }]),
  );
  const adminToken = loadAdminToken(config.dataDir, config.adminToken);
  const listeners = new Set<EventListener>();
  let ctx: BridgeContext | null = null;
  let hub: WsHub | null = null;
  let stateDb: StateDb | null = null;
  let stopping: Promise<void> | null = null;
  let records: SendRecords | null = null;
  let confirmer: ArchiveConfirmer | null = null;

  const server = http.createServer((req, res) => {
    res.statusCode = 503;
    res.end('starting');
  });

  async function start(): Promise<void> {
    const metrics = createMetrics();
    stateDb = openStateDb(config.dataDir);
    const tokens = new TokenStore(stateDb, adminToken);
    const wishes = new SlotWishes(stateDb);
    const archive = options.archive ?? createArchiveStore(config, logger);
    await archive.init();
    const ledger = new SentLedger(stateDb);
    records = new SendRecords(ledger, logger);
    // Sends answered before a crash whose archive batch never committed are written again.
    confirmer = new ArchiveConfirmer(ledger, archive, logger);
    confirmer.replay();
    await sweepLeftovers(config, logger);
    const snapshots = await createSnapshotService(config, logger, metrics);
    const factory = withSnapshots(options.engineFactory ?? (await createEngineFactory(config, logger)), snapshots, {
      firstDelayMs: config.snapshotFirstDelayMs,
      intervalMs: config.snapshotIntervalMs,
      retryBaseMs: 5000,
      onRestoreFailed: (n, message) => void (registry.get(n).lastError = message),
    });
    const allowAddress = createAddressCheck(config.allowCidrs);
    const hubRef: { current: WsHub | null } = { current: null };
    const push = createPushService({
      db: stateDb,
      serviceAccountPath: config.firebaseServiceAccount,
      logger,
      registry: metrics.registry,
      isDeviceOnline: (deviceId) => hubRef.current?.isDeviceOnline(deviceId) ?? false,
    });
    const mediaStore = new MediaStore(path.join(config.dataDir, 'media'), config.mediaMaxMb * 1024 * 1024, logger.child({ part: 'media' }));
    mediaStore.init();
    const media = new MediaService({
      store: mediaStore,
      thumbs: new Thumbnails(path.join(config.dataDir, 'media', 'thumbs')),
      archive,
      engineFor: (n) => {
        const slot = registry.get(n);
        return slot.ready ? slot.requireEngine() : null;
      },
      logger: logger.child({ part: 'media' }),
      onRecord: (n, record, chatId) => router.mediaRecord(n, chatId, record.messageId, media.info(n, record.messageId, record)),
    });
    const router = createEventRouter({
      archive,
      push,
      media,
      broadcast: (event) => hubRef.current?.broadcast(event),
      metrics,
      logger,
      drainOutbox: (n) => messenger.drain(n),
      listeners,
    });

    const hooks: SlotHooks = {
      onState: (slot) => router.status(slot),
      onQr: (slot, qr) => router.qr(slot, qr),
      onEngineEvent: (slot, event) => router.engineEvent(slot, event),
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
    const messenger = new Messenger(
      registry,
      new OutboxStore(stateDb),
      new IdempotencyStore(stateDb),
      new SendLimiter(config, (n) => metrics.rateLimited.inc({ slot: String(n) })),
      {
        onSent: (n, message, content) => router.sent(n, message, content),
        onFailed: (n) => metrics.messagesFailed.inc({ slot: String(n) }),
        onOutboxSent: (n, outboxId, messageId) => router.outboxSent(n, outboxId, messageId),
        onOutboxFailed: (n, outboxId, error) => router.outboxFailed(n, outboxId, error),
      },
      logger,
      records,
    );
    ctx = {
      config,
      logger,
      metrics,
      registry,
      messenger,
      archive,
      tokens,
      audit: new AuditLog(stateDb),
      push,
      media,
      logs,
      hub: { closeDevice: (id) => hubRef.current?.closeDevice(id), clientCount: () => hubRef.current?.clientCount() ?? 0 },
      snapshots,
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

    void snapshots.warm(config.slots);
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
      records?.close();
      await confirmer?.confirm();
      confirmer?.close();
      await c.snapshots.close();
      await c.media.close();
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
      listeners.add(listener); // read by the event router from start on
      return () => void listeners.delete(listener);
    },
  };
  return bridge;
}

export type { Logger };
