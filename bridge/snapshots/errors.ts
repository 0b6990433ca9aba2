// Why a snapshot was refused or could not be used; the REST layer maps these to the API's codes.

export type SnapshotErrorCode =
  /** Nothing worth keeping: empty, too small, or without the IndexedDB folder. */
  | 'REFUSED'
  /** Made with another session key. */
  | 'WRONG_KEY'
  /** Fails authentication or its sha256: damaged or tampered with. */
  | 'CORRUPT'
  /** A snapshot of another WhatsApp account than the slot's last known one. */
  | 'OTHER_ACCOUNT'
  | 'NOT_FOUND'
  /** The store could not be reached or answered with an error. */
  | 'STORE_UNAVAILABLE'
  /** The slot is not in a state that allows it (not READY for a take, running for a restore). */
  | 'NOT_READY'
  /** Cluster mode: this node no longer holds the slot's lease, so it may not write its snapshots. */
  | 'FENCED';

export class SnapshotError extends Error {
  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'SnapshotError';
  }
}
