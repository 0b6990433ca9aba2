// What a token may do. The admin token may do everything. A device token carries a scope: which
// slots (null = all) and a role — `read` (chats, archive, events), `send` (read + send) or
// `manage` (send + connect/disconnect/QR). Devices paired before scopes existed keep what they
// could do then: every slot, `manage`.
import { BridgeError } from '../domain/index.js';

export const ROLES = ['read', 'send', 'manage'] as const;
export type Role = (typeof ROLES)[number];

export interface Scope {
  /** Allowed slots, ascending; null = every slot. */
  slots: number[] | null;
  role: Role;
}

export type Caller = { kind: 'admin'; id: 'admin' } | { kind: 'device'; id: string; scope: Scope };

export const FULL_SCOPE: Scope = { slots: null, role: 'manage' };

const RANK: Record<Role, number> = { read: 0, send: 1, manage: 2 };

export function mayUseSlot(caller: Caller, slot: number): boolean {
  return caller.kind === 'admin' || caller.scope.slots === null || caller.scope.slots.includes(slot);
}

export function hasRole(caller: Caller, role: Role): boolean {
  return caller.kind === 'admin' || RANK[caller.scope.role] >= RANK[role];
}

/** Throw FORBIDDEN unless the caller has at least `role` (and, when given, may use `slot`). */
export function requireRole(caller: Caller, role: Role, slot?: number): void {
  if (caller.kind === 'admin') return;
  if (RANK[caller.scope.role] < RANK[role]) {
    throw new BridgeError('FORBIDDEN', `this device token is limited to "${caller.scope.role}"; this needs "${role}"`);
  }
  if (slot !== undefined && !mayUseSlot(caller, slot)) {
    throw new BridgeError('FORBIDDEN', `this device token may not use slot ${slot}`);
  }
}

/** The slot an operation without one uses: a device's first allowed slot, else the configured default. */
export function defaultSlotOf(caller: Caller, configured: number): number {
  if (caller.kind === 'device' && caller.scope.slots?.length) return caller.scope.slots[0]!;
  return configured;
}
