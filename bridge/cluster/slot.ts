// A slot in cluster mode: it runs only while this node holds its lease. Start and stop from the
// API become the cluster-wide wish (`wanted`); the node starts the slot when it wins the lease
// and stands it down when it must give it up. Without a gate it is the plain Slot.
import { BridgeError } from '../domain/index.js';
import type { WhatsAppEngine } from '../engine/types.js';
import { Slot } from '../slots/slot.js';

/** What a cluster slot asks its node. */
export interface SlotGate {
  /** This node holds the lease now (and its self-fence deadline has not passed). */
  owns(slot: number): boolean;
  /** Someone asked to start or stop a slot that this node does not run. */
  wish(slot: number, wanted: boolean): void;
  /** The owner's slot was stopped from the API (the wish is already written): give the lease up. */
  stoppedHere(slot: number): Promise<void>;
}

export class ClusterSlot extends Slot {
  gate: SlotGate | null = null;
  /** A stop asked on this node is under way: its node must not release the lease before the stop snapshot is stored. */
  stoppingHere = false;

  override connect(): void {
    if (this.gate && !this.gate.owns(this.number)) return this.gate.wish(this.number, true);
    super.connect();
  }

  override async disconnect(logout = false): Promise<void> {
    if (this.gate && !this.gate.owns(this.number)) return this.gate.wish(this.number, false);
    this.stoppingHere = true;
    try {
      await super.disconnect(logout);
    } finally {
      this.stoppingHere = false;
    }
    await this.gate?.stoppedHere(this.number);
  }

  /** Ready only while the lease holds: a node resuming from a freeze is not READY for a moment. */
  override get ready(): boolean {
    return super.ready && (!this.gate || this.gate.owns(this.number));
  }

  /** A fenced node must not drive the number, even between its deadline and the fence timer. */
  override requireEngine(): WhatsAppEngine {
    if (this.gate && !this.gate.owns(this.number)) {
      throw new BridgeError('NOT_CONNECTED', `slot ${this.number} is not running on this node`);
    }
    return super.requireEngine();
  }

  /** The node won the lease: start as a plain connect would. */
  startOwned(): void {
    super.connect();
  }

  /** The node gives the slot up (move, release, fence): stop and show STOPPED, wish untouched. */
  standDown(): Promise<void> {
    return super.disconnect(false);
  }
}
