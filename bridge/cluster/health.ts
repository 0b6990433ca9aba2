// GET /api/cluster/health in the WhatsApp Business API's shape (seed 002): every node keyed by its
// id with gateway_status and role, or an `errors` list when it stopped heartbeating; plus the
// owner and state of every slot. Any node answers for the whole cluster from the shared tables.
import type { LeaseRow } from './leases.js';
import type { NodeRow, SlotStatusRow } from './nodes.js';
import { COORDINATOR_SLOT } from './schema.js';

export type GatewayStatus = 'connected' | 'connecting' | 'disconnected' | 'unregistered' | 'uninitialized';

/** A slot's state as the guide's gateway_status. */
export function slotGateway(state: string): GatewayStatus {
  switch (state) {
    case 'READY':
      return 'connected';
    case 'STARTING':
    case 'AUTHENTICATED':
    case 'RECONNECTING':
      return 'connecting';
    case 'QR':
      return 'unregistered';
    default:
      return 'disconnected';
  }
}

/** A node's gateway_status from its slots' states. */
export function nodeGateway(states: readonly string[]): GatewayStatus {
  if (states.length === 0) return 'disconnected';
  const gateways = states.map(slotGateway);
  if (gateways.includes('connecting')) return 'connecting';
  if (gateways.includes('connected')) return 'connected';
  if (gateways.every((g) => g === 'unregistered')) return 'unregistered';
  return 'disconnected';
}

export interface ClusterHealthInput {
  nodes: readonly NodeRow[];
  leases: readonly LeaseRow[];
  statuses: readonly SlotStatusRow[];
  /** Slots that exist (WA_BRIDGE_SLOTS). */
  slots: number;
  /** A heartbeat older than this makes a node "Service not ready". */
  silentAfterMs: number;
  version: string;
}

interface SlotEntry {
  gateway_status: GatewayStatus;
  state: string;
  fence: number;
  phone: string | null;
}

export function clusterHealth(input: ClusterHealthInput) {
  const held = (l: LeaseRow) => l.owner !== null && !l.free;
  const stateOf = (lease: LeaseRow): SlotEntry => {
    const status = input.statuses.find((s) => s.slot === lease.slot && s.node === lease.owner && s.fence === lease.fence);
    // Held but not reported yet: the owner is restoring and launching.
    const state = status?.state ?? 'STARTING';
    return { gateway_status: slotGateway(state), state, fence: lease.fence, phone: status?.phone ?? null };
  };
  const health: Record<string, unknown> = {};
  for (const node of input.nodes) {
    if (node.silentMs > input.silentAfterMs) {
      health[node.id] = { errors: [{ code: 1011, title: 'Service not ready', details: `no heartbeat for ${Math.round(node.silentMs / 1000)} s` }] };
      continue;
    }
    const mine = input.leases.filter((l) => held(l) && l.owner === node.id && l.slot !== COORDINATOR_SLOT && l.slot <= input.slots);
    const slots: Record<string, SlotEntry> = {};
    for (const lease of mine) slots[String(lease.slot)] = stateOf(lease);
    const coordinator = input.leases.some((l) => l.slot === COORDINATOR_SLOT && held(l) && l.owner === node.id);
    health[node.id] = {
      gateway_status: nodeGateway(Object.values(slots).map((s) => s.state)),
      role: coordinator ? 'primary_master' : 'secondary_master',
      url: node.url,
      draining: node.draining,
      slots,
    };
  }
  const slots: Record<string, unknown> = {};
  for (const lease of input.leases) {
    if (lease.slot === COORDINATOR_SLOT || lease.slot > input.slots) continue;
    const owned = held(lease);
    const entry = owned ? stateOf(lease) : null;
    slots[String(lease.slot)] = {
      owner: owned ? lease.owner : null,
      fence: lease.fence,
      wanted: lease.wanted,
      gateway_status: entry?.gateway_status ?? 'disconnected',
      state: entry?.state ?? 'STOPPED',
      ...(lease.moveTo ? { move_to: lease.moveTo } : {}),
      ...(lease.preferredNode ? { preferred_node: lease.preferredNode } : {}),
    };
  }
  return { health, slots, meta: { api_status: 'stable', version: input.version } };
}
