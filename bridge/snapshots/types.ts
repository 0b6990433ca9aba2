// The snapshot seam: what a stored snapshot looks like, the store that keeps the encrypted blobs,
// and the manager the bridge (and later the cluster, issue 13) drives per slot.

/** Why a snapshot was made: periodic while READY, on a clean stop, or asked for (REST/admin app). */
export type SnapshotReason = 'first' | 'interval' | 'stop' | 'manual' | 'backup';

/** What a store keeps beside each blob. The blob's own authenticated header is the truth. */
export interface SnapshotMeta {
  id: string;
  slot: number;
  /** The WhatsApp account the profile belongs to: `<digits>@c.us`. */
  wid: string;
  /** Unix milliseconds. */
  createdAt: number;
  reason: SnapshotReason;
  /** Size of the encrypted blob in bytes. */
  bytes: number;
  /** sha256 (hex) of the plain archive inside. */
  sha256: string;
  formatVersion: number;
}

/** Keeps encrypted snapshot blobs; knows nothing of keys or profiles. */
export interface SnapshotStore {
  readonly kind: 'local' | 'mysql' | 'http';
  /** Where it stores, for health and logs (never carries a secret). */
  readonly where: string;
  /** Store a complete blob; a reader never sees a partial one. */
  put(meta: SnapshotMeta, blob: Buffer): Promise<void>;
  /** The blob, or null when there is no such snapshot. */
  get(slot: number, id: string): Promise<Buffer | null>;
  /** Newest first. */
  list(slot: number): Promise<SnapshotMeta[]>;
  delete(slot: number, id: string): Promise<void>;
  close(): Promise<void>;
}

export interface RestoreOptions {
  /** A particular snapshot; else the newest valid one (older ones are tried when it fails). */
  snapshotId?: string;
  /** Accept a snapshot of another account than the slot's last known one. */
  force?: boolean;
}

export interface RestoreResult {
  snapshot: SnapshotMeta;
  /** Snapshots tried first and refused (corrupt, wrong key, …), with why. */
  skipped: { id: string; reason: string }[];
}

/** Per slot, what health and the admin app show. */
export interface SlotSnapshotHealth {
  newest: { id: string; createdAt: number; ageSeconds: number; bytes: number; wid: string } | null;
  /** The last failure or refusal (take or restore), cleared by the next success. */
  lastError: string | null;
}

/** The per-slot operations the bridge, the REST routes and the cluster use. */
export interface SnapshotManager {
  readonly store: SnapshotStore;
  /** Stage, pack, check, encrypt and store the slot's profile as it is now. */
  take(slot: number, reason: SnapshotReason): Promise<SnapshotMeta>;
  list(slot: number): Promise<SnapshotMeta[]>;
  newest(slot: number): Promise<SnapshotMeta | null>;
  /** Replace the slot's profile folder with a snapshot. The slot's browser must not be running. */
  restore(slot: number, opts?: RestoreOptions): Promise<RestoreResult>;
  health(slot: number): SlotSnapshotHealth;
}
