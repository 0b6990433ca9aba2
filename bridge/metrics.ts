// Prometheus metrics (prom-client), one registry per bridge so tests can run several bridges.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const slotLabel = ['slot'] as const;
  return {
    registry,
    slotState: new Gauge({ name: 'wa_slot_state', help: 'Slot state (1 for the current state)', labelNames: ['slot', 'state'], registers: [registry] }),
    messagesSent: new Counter({ name: 'wa_messages_sent_total', help: 'Messages sent', labelNames: slotLabel, registers: [registry] }),
    messagesReceived: new Counter({ name: 'wa_messages_received_total', help: 'Messages received', labelNames: slotLabel, registers: [registry] }),
    messagesFailed: new Counter({ name: 'wa_messages_failed_total', help: 'Sends that failed', labelNames: slotLabel, registers: [registry] }),
    rateLimited: new Counter({ name: 'wa_rate_limited_total', help: 'Sends refused by a rate limit, by limit (per_minute, per_hour, per_day)', labelNames: ['slot', 'limit'], registers: [registry] }),
    reconnects: new Counter({ name: 'wa_reconnects_total', help: 'Automatic slot restarts', labelNames: slotLabel, registers: [registry] }),
    qrShown: new Counter({ name: 'wa_qr_codes_total', help: 'QR codes shown to be scanned', labelNames: slotLabel, registers: [registry] }),
    sessionSeconds: new Gauge({ name: 'wa_session_duration_seconds', help: 'Seconds since the slot became READY (0 when it is not)', labelNames: slotLabel, registers: [registry] }),
    errors: new Counter({ name: 'wa_errors_total', help: 'Errors answered to clients, by code and transport (rest, ws, graphql)', labelNames: ['code', 'transport'], registers: [registry] }),
    qrScans: new Counter({ name: 'wa_qr_scans_total', help: 'QR codes scanned (authenticated after a QR)', labelNames: slotLabel, registers: [registry] }),
    wsClients: new Gauge({ name: 'wa_ws_clients', help: 'Open WebSocket clients', registers: [registry] }),
    bodiesWaiting: new Gauge({ name: 'wa_http_bodies_waiting', help: 'Large request bodies waiting for their turn to be read', registers: [registry] }),
    outboxSize: new Gauge({ name: 'wa_outbox_size', help: 'Messages waiting in the outbox', registers: [registry] }),
    outboxUnconfirmed: new Counter({
      name: 'wa_outbox_unconfirmed_total',
      help: 'Queued messages failed as unconfirmed: their send was interrupted on a node that went away (cluster mode)',
      labelNames: slotLabel,
      registers: [registry],
    }),
    snapshotsMade: new Counter({ name: 'wa_snapshots_made_total', help: 'Session snapshots stored', labelNames: slotLabel, registers: [registry] }),
    snapshotsFailed: new Counter({
      name: 'wa_snapshots_failed_total',
      help: 'Session snapshots not stored (refused or store failure)',
      labelNames: ['slot', 'reason'],
      registers: [registry],
    }),
    snapshotRestores: new Counter({ name: 'wa_snapshot_restores_total', help: 'Session restores by outcome', labelNames: ['slot', 'outcome'], registers: [registry] }),
    snapshotBytes: new Gauge({ name: 'wa_snapshot_bytes', help: 'Size of the newest snapshot', labelNames: slotLabel, registers: [registry] }),
    snapshotAge: new Gauge({ name: 'wa_snapshot_age_seconds', help: 'Age of the newest snapshot', labelNames: slotLabel, registers: [registry] }),
    httpLatency: new Histogram({
      name: 'wa_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
