// Everything the HTTP routes and WebSocket commands work with, built once by createBridge.
import type { Logger } from 'pino';
import type { ArchiveStore } from './archive/types.js';
import type { AuditLog } from './auth/audit.js';
import type { TokenStore } from './auth/tokens.js';
import type { BridgeConfig } from './config.js';
import type { ChatRow, MessageRow } from './domain/index.js';
import type { LogBuffer } from './log-buffer.js';
import type { MediaService } from './media/service.js';
import type { Metrics } from './metrics.js';
import type { Messenger } from './slots/messenger.js';
import type { SlotRegistry } from './slots/registry.js';
import type { SnapshotService } from './snapshots/service.js';

/** The push service as the bridge uses it (bridge/push). */
export interface PushPort {
  readonly status: { enabled: boolean; reason: string | null };
  registerToken(deviceId: string, token: string, platform?: string): void;
  removeDevice(deviceId: string): void;
  onMessage(slot: number, message: MessageRow & { chatId: string }, chat: ChatRow | null): void;
  close(): Promise<void>;
}

/** What the HTTP side needs from the WebSocket hub. */
export interface HubPort {
  closeDevice(deviceId: string): void;
  clientCount(): number;
}

export interface BridgeContext {
  config: BridgeConfig;
  logger: Logger;
  metrics: Metrics;
  registry: SlotRegistry;
  messenger: Messenger;
  archive: ArchiveStore;
  tokens: TokenStore;
  audit: AuditLog;
  push: PushPort;
  media: MediaService;
  logs: LogBuffer;
  hub: HubPort;
  /** Encrypted session snapshots (bridge/snapshots). */
  snapshots: SnapshotService;
  startedAt: number;
}
