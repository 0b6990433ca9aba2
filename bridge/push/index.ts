// Push to phones: when a message arrives and a paired phone has no open socket, tell it through
// Firebase Cloud Messaging — unless the chat is muted, the message is mine, or it is old history.
// onMessage only files the message; coalescing, sending and retries happen off the message path.
import type { Database } from 'better-sqlite3';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { ChatRow, MessageRow } from '../domain/index.js';
import { isMutedAt } from '../domain/index.js';
import { createCoalescer } from './coalescer.js';
import { loadServiceAccount } from './credentials.js';
import { createFcmClient, type FcmClient } from './fcm-client.js';
import { classifyFcmError, errorCodeOf } from './fcm-errors.js';
import { createPushMetrics, type SuppressReason } from './metrics.js';
import { buildPushMessage, type PushBatch } from './notification.js';
import { createRetryQueue } from './retry-queue.js';
import { createTokenStore, validateRegistration, type TokenStore } from './token-store.js';
import type { TokenMessage } from 'firebase-admin/messaging';

export { buildPushMessage, previewOf, titleOf, type PushBatch } from './notification.js';
export { loadServiceAccount } from './credentials.js';

/** Messages older than this are history sync, not news. */
export const STALE_AFTER_MS = 5 * 60_000;

export interface PushStatus {
  enabled: boolean;
  /** Why push is off (null when on). */
  reason: string | null;
}

export interface PushService {
  readonly status: PushStatus;
  /**
   * Store a phone's token, replacing that phone's old one. A phone is its device token plus its
   * installation id, so phones sharing a device token keep separate registrations. Throws
   * VALIDATION_ERROR on a malformed token or installation id.
   */
  registerToken(deviceId: string, token: string, platform?: string, installationId?: string): Promise<void>;
  /** Forget a revoked device's token. */
  removeDevice(deviceId: string): Promise<void>;
  /** Called for every new message; returns at once (never blocks message handling). */
  onMessage(slot: number, message: MessageRow & { chatId: string }, chat: ChatRow | null): void;
  /** Send what is still waiting (up to a deadline), stop timers, release Firebase. */
  close(): Promise<void>;
}

export interface PushServiceOptions {
  db: Database;
  /** Where registrations live instead of `db` (cluster mode: the shared MySQL database). */
  registrations?: TokenStore;
  serviceAccountPath?: string;
  logger: Logger;
  registry: Registry;
  /** Has this phone a socket open (installationId null: a phone that registered without one)? In cluster mode, on any node. */
  isDeviceOnline: (deviceId: string, installationId: string | null) => boolean | Promise<boolean>;
  now?: () => number;
  /** Window in which one chat's messages become one push (default 2000 ms). */
  coalesceMs?: number;
  /** Hook for per-slot device permissions; today every device sees every slot. */
  canSeeSlot?: (deviceId: string, slot: number) => boolean | Promise<boolean>;
  /** Tuning, mainly for tests. */
  concurrency?: number;
  maxAttempts?: number;
  retryBaseMs?: number;
  attemptTimeoutMs?: number;
  drainMs?: number;
}

interface PushJob {
  deviceId: string;
  token: string;
  message: TokenMessage;
}

export function createPushService(opts: PushServiceOptions): PushService {
  const now = opts.now ?? Date.now;
  const log = opts.logger.child({ part: 'push' });
  const metrics = createPushMetrics(opts.registry);
  const tokens: TokenStore = opts.registrations ?? createTokenStore(opts.db);
  const canSeeSlot = opts.canSeeSlot ?? (() => true);

  const loaded = loadServiceAccount(opts.serviceAccountPath);
  let client: FcmClient | null = null;
  let status: PushStatus;
  if (loaded.ok) {
    try {
      client = createFcmClient(loaded.account);
      status = { enabled: true, reason: null };
      log.info({ projectId: loaded.account.project_id }, 'push notifications on (FCM)');
    } catch (err) {
      status = { enabled: false, reason: `firebase-admin refused the service account: ${(err as Error).message}` };
    }
  } else {
    status = { enabled: false, reason: loaded.reason };
  }
  if (!status.enabled) log.info({ reason: status.reason }, 'push notifications off');

  const suppress = (reason: SuppressReason, n = 1) => metrics.suppressed.inc({ reason }, n);

  const queue = createRetryQueue<PushJob>({
    concurrency: opts.concurrency ?? 4,
    maxQueued: 1000,
    maxAttempts: opts.maxAttempts ?? 5,
    baseDelayMs: opts.retryBaseMs ?? 1000,
    maxDelayMs: 60_000,
    attemptTimeoutMs: opts.attemptTimeoutMs ?? 30_000,
    perform: async (job) => {
      await client!.send(job.message);
    },
    shouldRetry: (err) => classifyFcmError(err) === 'retry',
    onRetry: (job, err, attempts) => {
      metrics.retried.inc();
      log.debug({ deviceId: job.deviceId, code: errorCodeOf(err), attempts }, 'push failed, will retry');
    },
    onSettled: (job, err, attempts) => {
      if (err === null) {
        metrics.sent.inc();
        log.debug({ deviceId: job.deviceId, attempts }, 'push sent');
        return;
      }
      const code = errorCodeOf(err);
      if (classifyFcmError(err) === 'prune') {
        void tokens
          .removeIfCurrent(job.deviceId, job.token)
          .then((removed) => {
            if (removed) metrics.pruned.inc();
            log.info({ deviceId: job.deviceId, code }, 'FCM token no longer valid, deleted');
          })
          .catch((e: unknown) => log.warn({ err: (e as Error).message }, 'could not delete an invalid FCM token'));
        return;
      }
      metrics.failed.inc({ code });
      log.warn({ deviceId: job.deviceId, code, attempts, err: (err as Error).message }, 'push failed');
    },
  });

  async function dispatch(batch: PushBatch): Promise<void> {
    const devices = await tokens.list();
    if (devices.length === 0) return suppress('no_devices');
    for (const device of devices) {
      if (!(await canSeeSlot(device.deviceId, batch.slot))) {
        suppress('not_allowed');
        continue;
      }
      // Checked when the window closes: a phone that connected meanwhile already saw the messages.
      if (await opts.isDeviceOnline(device.deviceId, device.installationId)) {
        suppress('online');
        continue;
      }
      const job = { deviceId: device.deviceId, token: device.token, message: buildPushMessage(batch, device.token) };
      if (!queue.push(job)) metrics.failed.inc({ code: 'queue-full' });
    }
  }

  /** Dispatches still reading registrations: close() waits for them before closing the queue. */
  const dispatching = new Set<Promise<void>>();
  const coalescer = createCoalescer<{ slot: number; chat: ChatRow | null; message: MessageRow }>({
    windowMs: opts.coalesceMs ?? 2000,
    onFlush: (key, items, count) => {
      const last = items[items.length - 1]!;
      // A timer callback must never throw (e.g. the database closed under us).
      const running = dispatch({ slot: last.slot, chatId: last.message.chatId, chat: last.chat, messages: items.map((i) => i.message), count })
        .catch((err: unknown) => log.error({ err: (err as Error).message, key }, 'push dispatch failed'))
        .finally(() => dispatching.delete(running));
      dispatching.add(running);
    },
  });

  let closed = false;

  return {
    get status() {
      return { ...status };
    },
    registerToken(deviceId, token, platform, installationId) {
      // Bad input throws here and now; the local store also writes now (the shared one answers later).
      validateRegistration(deviceId, token, platform, installationId);
      return tokens.register(deviceId, token, platform ?? null, now(), installationId ?? null).then(() => log.info({ deviceId, installationId: installationId ?? null, platform: platform ?? null }, 'FCM token registered'));
    },
    removeDevice(deviceId) {
      return tokens.remove(deviceId);
    },
    onMessage(slot, message, chat) {
      if (closed) return;
      try {
        if (!client) return suppress('disabled');
        if (message.fromMe) return suppress('from_me');
        if (!(now() - message.timestamp * 1000 <= STALE_AFTER_MS)) return suppress('stale');
        if (chat && isMutedAt(chat.muteExpiration, Math.floor(now() / 1000))) return suppress('muted');
        coalescer.add(`${slot}|${message.chatId}`, { slot, chat, message });
      } catch (err) {
        // Push is a side road: a surprise here must never break message handling.
        log.error({ err: (err as Error).message }, 'push could not take a message');
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopped = Object.assign(new Error('push service closed'), { code: 'closed' });
      coalescer.flushAll();
      await Promise.all([...dispatching]);
      queue.close(stopped); // no more retries: whatever FCM refuses now stays refused
      const drained = await queue.drain(opts.drainMs ?? 2000);
      if (!drained) log.warn({ pending: queue.pending }, 'push queue not drained before close');
      queue.abandon(stopped);
      await client?.close().catch(() => undefined);
    },
  };
}
