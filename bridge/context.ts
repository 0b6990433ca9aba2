// Everything the HTTP routes and WebSocket commands work with, built once by createBridge.
import type { Logger } from 'pino';
import type { ArchiveStore } from './archive/types.js';
import type { AuditStore } from './auth/audit.js';
import type { TokenStore } from './auth/tokens.js';
import type { SessionStore } from './auth/sessions.js';
import type { BridgeConfig } from './config.js';
import type { ChatRow, MessageRow, MessageSequence } from './domain/index.js';
import type { LogBuffer } from './log-buffer.js';
import type { MediaService } from './media/service.js';
import type { Metrics } from './metrics.js';
import type { Messenger } from './slots/messenger.js';
import type { SlotRegistry } from './slots/registry.js';
import type { BridgeEvent } from './types.js';
import type { SnapshotService } from './snapshots/service.js';
import type { ClusterRouting } from './cluster/forward.js';
import type { ClusterHandle } from './cluster/index.js';

/** The push service as the bridge uses it (bridge/push). */
export interface PushPort {
  readonly status: { enabled: boolean; reason: string | null };
  registerToken(deviceId: string, token: string, platform?: string, installationId?: string): Promise<void>;
  removeDevice(deviceId: string): Promise<void>;
  onMessage(slot: number, message: MessageRow & { chatId: string }, chat: ChatRow | null): void;
  close(): Promise<void>;
}

/** What the HTTP side needs from the WebSocket hub. */
export interface HubPort {
  closeDevice(deviceId: string): void;
  /** Close the sockets a signed-out session opened (by the session id's hash). */
  closeSession?(idHash: string): void;
  clientCount(): number;
}

/** The HTTPS side as health and pairing report it. */
export interface TlsInfo {
  fingerprint: string;
  /** Announced ahead of a renewal: phones pin it too. */
  nextFingerprint: string | null;
  notAfter: string;
  /** Plain HTTP served to the LAN (legacy setting). */
  lanHttp: boolean;
}

/** The bridge's broadcasts, for operations that wait on one (e.g. a test message's ack). */
export interface EventsPort {
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: BridgeEvent) => void): () => void;
}

export interface BridgeContext {
  config: BridgeConfig;
  logger: Logger;
  metrics: Metrics;
  registry: SlotRegistry;
  messenger: Messenger;
  archive: ArchiveStore;
  /** Numbers every message the bridge shows or stores, so a chat sorts the way it happened. */
  sequence: MessageSequence;
  tokens: TokenStore;
  /** The admin app's sign-in sessions (cookie); absent in test doubles that need none. */
  sessions?: SessionStore;
  audit: AuditStore;
  push: PushPort;
  media: MediaService;
  logs: LogBuffer;
  hub: HubPort;
  events: EventsPort;
  /** Encrypted session snapshots (bridge/snapshots). */
  snapshots: SnapshotService;
  startedAt: number;
  /** Cluster mode only (WA_BRIDGE_CLUSTER). */
  cluster?: ClusterHandle;
  /** Absent only before start. */
  tls?: TlsInfo;
  /** Restart the bridge in place (headless main, desktop shell); absent when nothing can. */
  restart?: () => void;
  /** Cluster mode: sends requests for slots other nodes own to them (bridge/cluster/forward.ts). */
  routing?: ClusterRouting;
  /** Cluster mode: another node appended events; read the shared event table now (bridge/cluster/poke.ts). */
  pokeEvents?: () => void;
}
