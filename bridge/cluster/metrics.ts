// Cluster metrics, on the bridge's own registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function createClusterMetrics(registry: Registry) {
  return {
    leaseOwned: new Gauge({ name: 'wab_lease_owned', help: 'Slot leases this node holds (1 = held; slot 0 is the coordinator)', labelNames: ['slot'], registers: [registry] }),
    fenced: new Counter({ name: 'wab_lease_fenced_total', help: 'Leases this node lost and stopped at once, by reason', labelNames: ['reason'], registers: [registry] }),
    failover: new Histogram({
      name: 'wab_failover_seconds',
      help: 'From the previous owner last renewing a slot to the slot READY on this node',
      buckets: [1, 2, 5, 10, 15, 20, 30, 60, 120],
      registers: [registry],
    }),
  };
}

export type ClusterMetrics = ReturnType<typeof createClusterMetrics>;
