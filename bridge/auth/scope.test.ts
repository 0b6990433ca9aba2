// Device scopes on their own: which slots a token may use, which role it has, and the refusals' words.
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../domain/index.js';
import { defaultSlotOf, FULL_SCOPE, hasRole, mayUseSlot, requireRole, type Caller, type Role } from './scope.js';

const admin: Caller = { kind: 'admin', id: 'admin' };
const device = (role: Role, slots: number[] | null): Caller => ({ kind: 'device', id: 'd1', scope: { slots, role } });

describe('mayUseSlot', () => {
  it('the admin and an all-slots device use any slot; a limited device only its own', () => {
    expect(mayUseSlot(admin, 5)).toBe(true);
    expect(mayUseSlot(device('read', null), 5)).toBe(true);
    expect(mayUseSlot(device('manage', [2, 4]), 4)).toBe(true);
    expect(mayUseSlot(device('manage', [2, 4]), 3)).toBe(false);
    expect(mayUseSlot(device('manage', []), 1)).toBe(false);
  });
});

describe('hasRole', () => {
  it('ranks read < send < manage; the admin has every role', () => {
    expect(hasRole(admin, 'manage')).toBe(true);
    expect([hasRole(device('read', null), 'read'), hasRole(device('read', null), 'send')]).toEqual([true, false]);
    expect([hasRole(device('send', null), 'read'), hasRole(device('send', null), 'send'), hasRole(device('send', null), 'manage')]).toEqual([true, true, false]);
    expect(hasRole(device('manage', [1]), 'manage')).toBe(true);
    expect(FULL_SCOPE).toEqual({ slots: null, role: 'manage' });
  });
});

describe('requireRole', () => {
  const refusal = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(BridgeError);
      return { code: (err as BridgeError).code, message: (err as Error).message };
    }
    return null;
  };

  it('lets the admin do anything, even on a slot no device has', () => {
    expect(refusal(() => requireRole(admin, 'manage', 9))).toBeNull();
  });

  it('refuses a lower role, naming both roles, before looking at the slot', () => {
    expect(refusal(() => requireRole(device('read', [1]), 'send', 2))).toEqual({
      code: 'FORBIDDEN',
      message: 'this device token is limited to "read"; this needs "send"',
    });
    expect(refusal(() => requireRole(device('send', null), 'send'))).toBeNull();
  });

  it('refuses a slot outside the scope, naming it; without a slot only the role counts', () => {
    expect(refusal(() => requireRole(device('manage', [1, 3]), 'read', 2))).toEqual({ code: 'FORBIDDEN', message: 'this device token may not use slot 2' });
    expect(refusal(() => requireRole(device('manage', [1, 3]), 'read', 3))).toBeNull();
    expect(refusal(() => requireRole(device('manage', [1, 3]), 'manage'))).toBeNull();
  });
});

describe('defaultSlotOf', () => {
  it('a limited device defaults to its first slot; the admin and all-slots or empty scopes to the configured one', () => {
    expect(defaultSlotOf(device('send', [3, 5]), 1)).toBe(3);
    expect(defaultSlotOf(device('send', null), 2)).toBe(2);
    expect(defaultSlotOf(device('send', []), 2)).toBe(2);
    expect(defaultSlotOf(admin, 4)).toBe(4);
  });
});
