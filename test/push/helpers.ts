// Small helpers shared by the push tests.
import Database from 'better-sqlite3';
import { Registry } from 'prom-client';
import { createLogger } from '../../bridge/logger.js';
import { createPushService, type PushServiceOptions } from '../../bridge/push/index.js';
import type { ChatRow, MessageRow } from '../../bridge/domain/index.js';

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return hit?.value ?? 0;
}

export function makeService(overrides: Partial<PushServiceOptions> & { online?: Set<string> } = {}) {
  const online = overrides.online ?? new Set<string>();
  const registry = new Registry();
  const db = overrides.db ?? new Database(':memory:');
  const logLines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void logLines.push(JSON.parse(line)) });
  const service = createPushService({
    db,
    logger,
    registry,
    isDeviceOnline: (id) => online.has(id),
    coalesceMs: 30,
    retryBaseMs: 20,
    attemptTimeoutMs: 2000,
    drainMs: 2000,
    ...overrides,
  });
  return { service, registry, db, online, logLines };
}

let seq = 0;
export function incoming(over: Partial<MessageRow> = {}): MessageRow & { chatId: string } {
  seq++;
  return {
    id: `false_962781523783@c.us_3EB0${String(seq).padStart(4, '0')}`,
    chatId: '962781523783@c.us',
    body: 'Hello there',
    fromMe: 0,
    timestamp: Math.floor(Date.now() / 1000),
    type: 'chat',
    hasMedia: 0,
    senderName: 'Lina',
    ack: 1,
    ...over,
  };
}

export function chatRow(over: Partial<ChatRow> = {}): ChatRow {
  return {
    chatId: '962781523783@c.us',
    name: 'Lina Haddad',
    isGroup: false,
    unreadCount: 1,
    timestamp: Math.floor(Date.now() / 1000),
    lastMessage: 'Hello there',
    isMuted: false,
    muteExpiration: 0,
    ...over,
  };
}

export const TOKEN_A = 'fcm-token-device-a:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx';
export const TOKEN_B = 'fcm-token-device-b:APA91bGz0nTq8mWc7Vb2pLx-9kQ3sY4uE';
