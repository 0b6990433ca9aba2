// Push counters on the bridge's registry (reused if a second service registers on the same one).
import { Counter, type Registry } from 'prom-client';

export type SuppressReason = 'disabled' | 'from_me' | 'stale' | 'muted' | 'online' | 'not_allowed' | 'no_devices';

function counter(registry: Registry, name: string, help: string, labelNames: string[] = []): Counter<string> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<string>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function createPushMetrics(registry: Registry) {
  return {
    sent: counter(registry, 'wa_push_sent_total', 'Push notifications accepted by FCM'),
    suppressed: counter(registry, 'wa_push_suppressed_total', 'Pushes not sent, by reason', ['reason']),
    failed: counter(registry, 'wa_push_failed_total', 'Pushes that failed for good, by error code', ['code']),
    retried: counter(registry, 'wa_push_retries_total', 'Push attempts retried after a transient error'),
    pruned: counter(registry, 'wa_push_tokens_pruned_total', 'FCM tokens deleted because FCM refused them'),
  };
}

export type PushMetrics = ReturnType<typeof createPushMetrics>;
