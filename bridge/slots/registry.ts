// Slots 1..N.
import { BridgeError } from '../domain/index.js';
import type { Slot } from './slot.js';

export class SlotRegistry {
  constructor(readonly slots: Slot[]) {}

  get size(): number {
    return this.slots.length;
  }

  /** The slot, or INVALID_SLOT. */
  get(n: unknown): Slot {
    const slot = typeof n === 'number' && Number.isInteger(n) ? this.slots[n - 1] : undefined;
    if (!slot) throw new BridgeError('INVALID_SLOT', `slot must be from 1 to ${this.slots.length}`);
    return slot;
  }
}
