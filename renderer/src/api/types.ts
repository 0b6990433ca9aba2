// Shapes of the bridge API (../shared/API.md) as the admin app reads them.
// Row types come from the bridge's pure domain layer (type-only: nothing of it ships in the bundle).
import type { ChatRow, MessageRow, SlotState } from '../../../bridge/domain/types.js';
import type { ErrorCode } from '../../../bridge/domain/errors.js';

export type { ChatRow, MessageRow, SlotState, ErrorCode };

/** GET /api/outbox entry: a queued message not sent (never its content). */
export type OutboxEntryView = {
  outboxId: string;
  slot: number;
  kind: 'text' | 'media' | 'poll';
  preview: string | null;
  status: 'pending' | 'sending' | 'failed';
  error: string | null;
  unconfirmed: boolean;
  createdAt: number;
} & ({ chatId: string } | { phone: string });

/** GET /api/slots entry: four fixed fields, then optional extras. */
export interface SlotInfo {
  slot: number;
  active: boolean;
  ready: boolean;
  hasQrCache: boolean;
  state?: SlotState;
  phone?: string | null;
  name?: string | null;
  /** When the current state began (ms or Unix seconds; see toMs). */
  since?: number | null;
  lastError?: string | null;
}

export interface SlotQr {
  success: true;
  slot: number;
  connected: boolean;
  qrCode: string;
  qrCodeSvg?: string;
  /** Unix seconds. */
  expiresAt: number;
}

export interface SlotHealth {
  slot: number;
  state: SlotState;
  gatewayStatus?: string;
  restarts?: number;
  lastError?: string | null;
  [extra: string]: unknown;
}

export interface Health {
  status: 'ok' | 'degraded' | 'down';
  engine?: 'demo' | 'wwebjs';
  slots: SlotHealth[];
  archive: { ok: boolean; backend: string; error?: string | null; pending?: number };
  uptimeSeconds: number;
  tls?: { fingerprint: string; nextFingerprint: string | null; notAfter: string; lanHttp: boolean } | null;
  warnings?: string[];
  /** Cluster mode only. */
  node?: { id: string; url: string; role: 'primary_master' | 'secondary_master'; cluster: true; leases: { slot: number; fence: number; expiresInMs: number }[] };
}

/** GET /api/cluster/health: a node's entry, or its errors when it stopped heartbeating. */
export type ClusterNodeHealth =
  | { gateway_status: string; role: 'primary_master' | 'secondary_master'; url: string; draining?: boolean; slots: Record<string, { gateway_status: string; state: string; fence: number; phone: string | null }> }
  | { errors: { code: number; title: string; details: string }[] };

export interface ClusterHealth {
  health: Record<string, ClusterNodeHealth>;
  slots: Record<string, { owner: string | null; fence: number; wanted: boolean; gateway_status: string; state: string }>;
  meta: { api_status: string; version: string };
}

/** A message row as the app keeps it: archive rows may carry `slot` and poll extras. */
/** Where a message's file is (the bridge keeps it); `url` and `thumbUrl` need the token. */
export interface MediaInfo {
  mimetype: string | null;
  filename: string | null;
  size: number | null;
  durationMs?: number;
  status: 'stored' | 'pending' | 'expired';
  url: string;
  thumbUrl?: string;
}

export type Message = MessageRow & { slot?: number; pollOptions?: string[] | null; caption?: string | null; filename?: string | null; media?: MediaInfo };

export interface SearchResult {
  success: true;
  slot?: number;
  query: string;
  data: (Message & { slot?: number })[];
}

/** What a paired phone may do: read (chats, archive, events), send (+ sending), manage (+ connect/disconnect/QR). */
export type DeviceRole = 'read' | 'send' | 'manage';

export interface Device {
  deviceId: string;
  name: string;
  createdAt: number;
  lastSeenAt: number | null;
  /** Allowed slots; null = every slot. */
  slots: number[] | null;
  role: DeviceRole;
}

export interface LanAddress {
  name: string;
  address: string;
  url: string;
  /** Whether a phone can reach the bridge there (it may listen on one interface, or loopback). */
  reachable?: boolean;
}

export interface Settings {
  dataDir: string;
  port: number;
  slots: number;
  engine: 'demo' | 'wwebjs';
  dbUrl: string | null;
  firebaseServiceAccount: string | null;
  ratePerMinute: number;
  ratePerHour: number;
  ratePerDay: number;
}

export type SettingsUpdate = Partial<Pick<Settings, 'port' | 'slots' | 'dbUrl' | 'ratePerMinute' | 'ratePerHour' | 'ratePerDay'>>;

export type LogKind = 'request' | 'lifecycle' | 'pairing' | 'push' | 'other';

export interface LogLine {
  /** Increasing (bridges before the log screen do not send it). */
  id?: number;
  time: number;
  level: string;
  msg: string;
  kind?: LogKind;
  slot?: number | null;
  detail?: Record<string, string | number | boolean>;
}

export interface PollVoteRow {
  voter: string;
  selectedOptions: string[];
  timestamp: number;
}

/** Server → client broadcasts on the WebSocket. */
export type ServerEvent =
  | { type: 'status'; slot: number; ready: boolean; state: SlotState }
  | { type: 'qr'; slot: number; qr: string }
  | { type: 'new_message'; slot: number; message: Message & { chatId: string } }
  | { type: 'message_ack'; slot: number; chatId: string; messageId: string; ack: number }
  | { type: 'poll_vote'; slot: number; chatId: string; messageId: string; voter: string; selectedOptions: string[]; timestamp: number }
  | { type: 'outbox_sent'; slot: number; outboxId: string; messageId: string }
  /** `unconfirmed`: its send was cut off on a cluster node that died, so WhatsApp may have it. */
  | { type: 'outbox_failed'; slot: number; outboxId: string; error: string; unconfirmed?: true };

/** Timestamps arrive as Unix seconds or milliseconds; tell them apart by size. */
export function toMs(t: number): number {
  return t < 1e12 ? t * 1000 : t;
}
