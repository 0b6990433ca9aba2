// createBridge(config): wires the parts — state, archive, engine, slots, HTTP, WebSocket, push —
// and gives the headless entry, the tests and the desktop shell one object to start and stop.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { createArchiveStore } from './archive/index.js';
import type { ArchiveStore } from './archive/types.js';
import { createAddressCheck } from './access/network.js';
import { AuditLog } from './auth/audit.js';
import { loadAdminToken, TokenStore } from './auth/tokens.js';
import { SessionStore } from './auth/sessions.js';
import type { BridgeConfig } from './config.js';
import type { BridgeContext } from './context.js';
import { secureDataDir } from './data-dir.js';
import { placeStagedRestore } from './backup/staged.js';
import { MessageSequence } from './domain/index.js';
import { createEngineFactory, sweepLeftovers } from './engine/index.js';
import { withChatListCache } from './engine/chat-list-cache.js';
import type { EngineFactory } from './engine/types.js';
import { createEventRouter, type EventListener } from './events/router.js';
import { createApp } from './http/app.js';
import { RequestDrain } from './http/drain.js';
import { guardPlainHttp } from './http/lan-http.js';
import { loadTls, type TlsState } from './tls/certificate.js';
import { decideLanHttp } from './tls/legacy.js';
import { LogBuffer } from './log-buffer.js';
import { logLifecycle } from './slots/lifecycle-log.js';
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
import { openSharedState, type SharedState } from './cluster/shared/index.js';
import { ClusterPresence } from './cluster/presence.js';
import { sharedCounters } from './cluster/shared/rate-limits.js';
import { nodeId as clusterNodeId } from './cluster/identity.js';
import { createRouting } from './cluster/forward.js';
import { ClusterEventStream } from './cluster/events.js';
import { EventPoker } from './cluster/poke.js';
import { EventLog } from './ws/replay.js';
import { ClusterSlot, createCluster, defaultAdvertiseUrl } from './cluster/index.js';

export interface BridgeOptions {
  /** Test doubles or the desktop shell's choices; the defaults follow the config. */
  archive?: ArchiveStore;
  engineFactory?: EngineFactory;
  logDestination?: pino.DestinationStream;
  rendererDir?: string;
  /** Which remote addresses count as this computer (plain HTTP always); tests stand in for a LAN. */
  isLocalAddress?: (address: string | undefined) => boolean;
  /** "Restart the bridge" from the admin app: whoever started the bridge stops it and starts a new one. */
  onRestart?: () => void;
  /** How often the certificate is checked for renewal (default 12 h; tests use less). */
  tlsCheckMs?: number;
  /** How often expired sign-in sessions are dropped (default hourly; tests use less). */
  sessionPruneMs?: number;
}

/** How often a running bridge checks whether its certificate is due for renewal. */
const TLS_CHECK_MS = 12 * 60 * 60 * 1000;

const STOP_DEADLINE_MS = 9000;
/** How long requests in flight at a stop may take before their connections are cut. */
const REQUEST_GRACE_MS = 5000;

export function createBridge(config: BridgeConfig, options: BridgeOptions = {}): Bridge {
  const dataDirWarning = secureDataDir(config.dataDir);
  const logs = new LogBuffer();
  const logger = createLogger(
    config.logLevel,
    pino.multistream([{ stream: tolerantOutput(options.logDestination ?? process.stdout) }, { stream: logs }]),
  );
  if (dataDirWarning) logger.warn(dataDirWarning);
  // A restore confirmed in the admin app: its files go into place before anything opens them.
  const placedFromBackup = placeStagedRestore(config.dataDir);
  if (placedFromBackup.length > 0) logger.info({ placed: placedFromBackup }, 'restore from a backup file completed');
  const adminToken = loadAdminToken(config.dataDir, config.adminToken);
  const listeners = new Set<EventListener>();
  let ctx: BridgeContext | null = null;
  let hub: WsHub | null = null;
  let stateDb: StateDb | null = null;
  let stopping: Promise<void> | null = null;
  let secure: https.Server | null = null;
  let tlsTimer: NodeJS.Timeout | null = null;
  let records: SendRecords | null = null;
  let confirmer: ArchiveConfirmer | null = null;
  let shared: SharedState | null = null;
  let clusterEvents: ClusterEventStream | null = null;
  let poker: EventPoker | null = null;
  let presenceRef: ClusterPresence | null = null;
  /** Cluster mode: publish this node's address and certificate pins (at start, and when the certificate changes). */
  let endpoint: (() => Promise<void>) | null = null;
  let publishedPins = '';

  const drain = new RequestDrain();
  const server = http.createServer((req, res) => {
    res.statusCode = 503;
    res.end('starting');
  });
  let lanHttp = false;
  guardPlainHttp(server, {
    lanHttp: () => lanHttp,
    isLocal: options.isLocalAddress,
    onRefused: (address) => logger.warn({ address }, 'refused: plain HTTP from the LAN (use HTTPS)'),
  });

  async function start(): Promise<void> {
    const metrics = createMetrics();
    stateDb = openStateDb(config.dataDir);
    // Cluster mode: devices, audit, outbox, idempotency, sent records and FCM tokens are shared in MySQL.
    shared = config.cluster
      ? await openSharedState({ dbUrl: config.dbUrl!, nodeId: clusterNodeId(config.dataDir, config.nodeName), logger, fenceOf: (n) => cluster?.node.fenceOf(n) ?? null })
      : null;
    const tokens = new TokenStore(shared?.devices ?? stateDb, adminToken);
    const sessions = new SessionStore(shared?.sessions ?? stateDb, tokens);
    // Expired sign-in sessions are dropped now and hourly (in a cluster every node does it: one DELETE, harmless twice).
    await sessions.startPruning(
      (err) => logger.warn({ err: (err as Error).message }, 'could not drop expired sign-in sessions (the next round tries again)'),
      options.sessionPruneMs,
    );
    // Cluster mode: events of every node's slots, numbered by the shared event table (bridge/cluster/events.ts).
    // The other live nodes are poked after each append, so their clients need not wait for the poll (cluster/poke.ts).
    poker = shared ? new EventPoker({ nodeId: shared.nodeId, clusterKey: config.clusterKey!, peers: () => ctx?.routing?.nodes() ?? [], logger }) : null;
    clusterEvents = shared
      ? new ClusterEventStream({ pool: shared.pool, nodeId: shared.nodeId, logger, owns: (n) => cluster?.node.owns(n) ?? false, pollMs: config.eventPollMs, onAppended: () => poker?.poke() })
      : null;
    const eventLog = clusterEvents ? new EventLog(undefined, undefined, undefined, await clusterEvents.prepare()) : new EventLog();
    const wishes = new SlotWishes(stateDb);
    const archive = options.archive ?? createArchiveStore(config, logger);
    await archive.init();
    const ledger = shared?.ledger ?? new SentLedger(stateDb);
    records = new SendRecords(ledger, logger);
    // Sends answered before a crash whose archive batch never committed are written again.
    confirmer = new ArchiveConfirmer(ledger, archive, logger);
    await confirmer.replay();
    await sweepLeftovers(config, logger);
    const snapshots = await createSnapshotService(config, logger, metrics);
    // Cluster mode: this node's leases decide which slots run here (bridge/cluster).
    const cluster = config.cluster ? createCluster(config, { logger, registry: metrics.registry, snapshots, localWishes: wishes.connectedSlots() }) : null;
    // Chat pages share one listing of a slot's chats for a few seconds (engine/chat-list-cache.ts).
    const engines = withChatListCache(options.engineFactory ?? (await createEngineFactory(config, logger)));
    const snapshotting = withSnapshots(engines, snapshots, {
      firstDelayMs: config.snapshotFirstDelayMs,
      intervalMs: config.snapshotIntervalMs,
      retryBaseMs: 5000,
      onRestoreFailed: (n, message) => void (registry.get(n).lastError = message),
    });
    const factory = cluster ? cluster.node.wrapFactory(snapshotting) : snapshotting;
    const allowAddress = createAddressCheck(config.allowCidrs);
    const hubRef: { current: WsHub | null } = { current: null };
    const presence = shared ? new ClusterPresence(shared.pool, shared.nodeId, logger) : null;
    const push = createPushService({
      db: stateDb,
      registrations: shared?.pushRegistrations,
      serviceAccountPath: config.firebaseServiceAccount,
      logger,
      registry: metrics.registry,
      // Cluster mode: a phone whose socket is on another node is online too (cluster/presence.ts).
      isDeviceOnline: async (deviceId, installationId) =>
        (hubRef.current?.isDeviceOnline(deviceId, installationId) ?? false) || ((await presence?.onlineElsewhere(deviceId, installationId)) ?? false),
      canSeeSlot: (deviceId, slot) => tokens.deviceMaySee(deviceId, slot),
    });
    const sequence = new MessageSequence();
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
      broadcast: (event) => (clusterEvents ? clusterEvents.publish(event) : hubRef.current?.broadcast(event)),
      metrics,
      logger,
      drainOutbox: (n) => messenger.drain(n),
      listeners,
      sequence,
    });

    const hooks: SlotHooks = {
      onState: (slot) => {
        router.status(slot);
        logLifecycle(logger, slot);
        cluster?.node.onSlotState(slot);
      },
      onQr: (slot, qr) => {
        metrics.qrShown.inc({ slot: String(slot.number) });
        router.qr(slot, qr);
      },
      onEngineEvent: (slot, event) => router.engineEvent(slot, event),
      onWish: (slot, connected) => (cluster ? cluster.node.onWish(slot, connected) : wishes.set(slot.number, connected)),
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
      return new (cluster ? ClusterSlot : Slot)(n, path.join(config.dataDir, 'slots', `slot-${n}`), factory, policy, hooks, logger);
    });
    const registry = new SlotRegistry(slots);
    cluster?.node.attach(registry);
    const messenger = new Messenger(
      registry,
      shared?.outbox ?? new OutboxStore(stateDb),
      shared?.idempotency ?? new IdempotencyStore(stateDb),
      new SendLimiter(
        config,
        // Cluster mode: a slot's counts live in the shared database and follow it to any node.
        shared ? sharedCounters(shared.pool, (err) => logger.warn({ err: (err as Error).message }, 'cluster: could not sweep expired send-limit counters')) : stateDb,
        (n, limit) => metrics.rateLimited.inc({ slot: String(n), limit }),
      ),
      {
        onSent: (n, message, content) => router.sent(n, message, content),
        onFailed: (n) => metrics.messagesFailed.inc({ slot: String(n) }),
        onOutboxSent: (n, outboxId, messageId) => router.outboxSent(n, outboxId, messageId),
        onOutboxFailed: (n, outboxId, error, unconfirmed) => router.outboxFailed(n, outboxId, error, unconfirmed),
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
      sequence,
      tokens,
      sessions,
      audit: shared?.audit ?? new AuditLog(stateDb),
      push,
      media,
      logs,
      // Cluster mode: closed here at once, and on the other nodes through the event tail.
      hub: {
        closeDevice: (id) => {
          hubRef.current?.closeDevice(id);
          clusterEvents?.publishClose({ device: id });
        },
        closeSession: (idHash) => {
          hubRef.current?.closeSession(idHash);
          clusterEvents?.publishClose({ session: idHash });
        },
        clientCount: () => hubRef.current?.clientCount() ?? 0,
      },
      events: { subscribe: (listener) => bridge.onEvent(listener) },
      snapshots,
      startedAt: Date.now(),
      ...(options.onRestart ? { restart: options.onRestart } : {}),
      routing: shared ? createRouting({ nodeId: shared.nodeId, directory: shared.directory, clusterKey: config.clusterKey!, logger }) : undefined,
      ...(cluster ? { cluster } : {}),
      ...(clusterEvents ? { pokeEvents: () => clusterEvents?.poll() } : {}),
    };
    const tls = await loadTls(config.dataDir);
    lanHttp = decideLanHttp({ configured: config.lanHttp, firstTlsStart: tls.created, pairedDevices: (await tokens.listDevices()).length, dataDir: config.dataDir });
    if (lanHttp) logger.warn('plain HTTP is served to the LAN (legacy setting for phones paired before HTTPS); turn it off once every phone has paired again');
    const setTlsInfo = (t: TlsState) => {
      ctx!.tls = { fingerprint: t.current.fingerprint, nextFingerprint: t.next?.fingerprint ?? null, notAfter: t.current.notAfter.toISOString(), lanHttp };
    };
    setTlsInfo(tls);
    hub = hubRef.current = new WsHub(ctx, allowAddress, { eventLog, onClientsChanged: () => presenceRef?.changed() });
    presenceRef = presence;
    presence?.start(() => hubRef.current?.onlinePhones() ?? []);
    await clusterEvents?.start(
      (seq, n, frame) => hubRef.current?.deliver(seq, n, frame),
      (order) => ('device' in order ? hubRef.current?.closeDevice(order.device) : hubRef.current?.closeSession(order.session)),
    );
    const app = createApp(ctx, { allowAddress, boundPort: () => bridge.port, boundHttpsPort: () => bridge.httpsPort, rendererDir: options.rendererDir });
    const handler = drain.wrap(app);
    secure = https.createServer({ key: tls.current.key, cert: tls.current.cert }, handler);
    drain.watch(server);
    drain.watch(secure);
    server.removeAllListeners('request');
    server.on('request', handler);
    hub.attach(server);
    hub.attach(secure);
    // Renewal while running: the next certificate is announced ahead, then swapped in.
    const secureServer = secure;
    tlsTimer = setInterval(() => {
      void loadTls(config.dataDir)
        .then(async (t) => {
          secureServer.setSecureContext({ key: t.current.key, cert: t.current.cert });
          setTlsInfo(t);
          // Cluster mode: phones learn other nodes' pins from the shared endpoint rows; keep ours true.
          if (endpoint && publishedPins !== pinsOf(ctx!)) {
            await endpoint().then(
              () => logger.info({ fingerprint: ctx!.tls?.fingerprint, nextFingerprint: ctx!.tls?.nextFingerprint }, 'cluster: new certificate published to the other nodes'),
              (err: unknown) => logger.error({ err }, 'cluster: could not republish this node\'s certificate (the next check tries again)'),
            );
          }
        })
        .catch((err) => logger.error({ err }, 'certificate renewal failed'));
    }, options.tlsCheckMs ?? TLS_CHECK_MS);
    tlsTimer.unref();
    const listen = (srv: http.Server | https.Server, port: number) =>
      new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, config.host, () => {
          srv.off('error', reject);
          resolve();
        });
      });
    await listen(server, config.port);
    await listen(secure, config.httpsPort ?? (config.port === 0 ? 0 : config.port + 1));
    logger.info({ url: bridge.url, httpsPort: bridge.httpsPort, fingerprint: tls.current.fingerprint, engine: config.engine, slots: config.slots, archive: archive.backend }, 'WA Bridge listening');

    void snapshots.warm(config.slots);
    if (cluster) {
      const advertised = config.advertiseUrl ?? defaultAdvertiseUrl(bridge.port);
      await cluster.node.start(advertised);
      const sharedState = shared;
      if (sharedState) {
        endpoint = async () => {
          const pins = pinsOf(ctx!);
          await publishEndpoint(sharedState, ctx!, advertised, bridge.httpsPort);
          publishedPins = pins;
        };
        await endpoint();
      }
      return;
    }
    for (const n of wishes.connectedSlots()) {
      if (n <= registry.size) registry.get(n).connect();
    }
  }

  /** HTTP and sockets first (no request may reach a closed store), then slots, push, archive. */
  async function shutdown(): Promise<void> {
    // Stop accepting, answer every request already received, then close the connections.
    if (tlsTimer) clearInterval(tlsTimer);
    ctx?.sessions?.stopPruning();
    await Promise.all([hub?.close(), drain.stop(REQUEST_GRACE_MS)]);
    if (ctx) {
      const c = ctx;
      // Cluster mode: each slot is snapshotted and released for another node first.
      await c.cluster?.close();
      await Promise.all(c.registry.slots.map((slot) => slot.shutdown()));
      await c.push.close();
      records?.close();
      await confirmer?.confirm();
      confirmer?.close();
      await c.snapshots.close();
      await c.media.close();
      await c.archive.close();
      c.routing?.close();
    }
    await presenceRef?.stop();
    await clusterEvents?.close();
    poker?.close();
    await shared?.close().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'cluster: closing the shared database failed'));
    stateDb?.close();
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
    get httpsPort() {
      const address = secure?.address() as AddressInfo | null | undefined;
      return address?.port ?? null;
    },
    adminToken,
    onEvent(listener) {
      listeners.add(listener); // read by the event router from start on
      return () => void listeners.delete(listener);
    },
  };
  return bridge;
}

/** Phones learn every node's HTTPS address and certificate from any node (hello frame, pairing QR). */
/** The certificate pins a node publishes: a change means its endpoint row must be written again. */
function pinsOf(ctx: BridgeContext): string {
  return `${ctx.tls?.fingerprint ?? ''} ${ctx.tls?.nextFingerprint ?? ''}`;
}

async function publishEndpoint(shared: SharedState, ctx: BridgeContext, advertised: string, httpsPort: number | null): Promise<void> {
  const https = new URL(advertised);
  https.protocol = 'https:';
  if (httpsPort !== null) https.port = String(httpsPort);
  await shared.directory.publishEndpoint({
    url: advertised,
    httpsUrl: httpsPort === null ? null : https.origin,
    fingerprint: ctx.tls?.fingerprint ?? null,
    nextFingerprint: ctx.tls?.nextFingerprint ?? null,
  });
  await ctx.routing?.refresh();
}

export type { Logger };
