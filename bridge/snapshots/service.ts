// The snapshot manager: make (stage → pack → check → encrypt → store → prune), list and restore
// (fetch → verify → unpack → swap) per slot, one operation per slot at a time.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AccountBook } from './accounts.js';
import { SnapshotError } from './errors.js';
import { FORMAT_VERSION, openSnapshot, sealSnapshot } from './format.js';
import { newSnapshotId } from './ids.js';
import { DEFAULT_LIMITS, packProfile, profileUsable, scratchDir, swapProfile, unpackArchive, type PackLimits } from './pack.js';
import type { RestoreOptions, RestoreResult, SlotSnapshotHealth, SnapshotManager, SnapshotMeta, SnapshotReason, SnapshotStore } from './types.js';

export interface SnapshotEvents {
  onTaken?(slot: number, meta: SnapshotMeta, ms: number): void;
  onTakeFailed?(slot: number, error: SnapshotError): void;
  onRestored?(slot: number, meta: SnapshotMeta, ms: number): void;
  onRestoreFailed?(slot: number, error: SnapshotError): void;
}

export interface SnapshotServiceOptions {
  key: Buffer;
  store: SnapshotStore;
  accounts: AccountBook;
  /** The slot's Chromium profile folder. */
  profileDirOf(slot: number): string;
  /** Scratch space on the data dir's disk (staging copies, unpacked archives). */
  scratchRoot: string;
  /** Snapshots kept per slot (older ones are deleted after a successful store). */
  keep: number;
  limits?: PackLimits;
  logger: Logger;
  events?: SnapshotEvents;
}

function asSnapshotError(err: unknown, fallback: 'STORE_UNAVAILABLE' | 'CORRUPT', what: string): SnapshotError {
  if (err instanceof SnapshotError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SnapshotError(fallback, `${what}: ${message}`, { cause: err });
}

export class SnapshotService implements SnapshotManager {
  readonly store: SnapshotStore;
  readonly #opts: SnapshotServiceOptions;
  /** One take/restore per slot at a time. */
  readonly #queues = new Map<number, Promise<unknown>>();
  readonly #newest = new Map<number, SnapshotMeta | null>();
  readonly #lastError = new Map<number, string | null>();
  /** Slots being restored on request: their engine's stop must not snapshot the old profile. */
  readonly #restoring = new Set<number>();
  #storeError: string | null = null;

  constructor(opts: SnapshotServiceOptions) {
    this.#opts = opts;
    this.store = opts.store;
  }

  get accounts(): AccountBook {
    return this.#opts.accounts;
  }

  /** The last store failure, cleared by the next successful store call. */
  get storeError(): string | null {
    return this.#storeError;
  }

  isRestoring(slot: number): boolean {
    return this.#restoring.has(slot);
  }

  #serial<T>(slot: number, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(slot) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(slot, settled);
    void settled.then(() => {
      if (this.#queues.get(slot) === settled) this.#queues.delete(slot);
    });
    return next;
  }

  async #storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.#storeError = null;
      return result;
    } catch (err) {
      const error = asSnapshotError(err, 'STORE_UNAVAILABLE', `${this.store.kind} store: ${what} failed`);
      if (error.code === 'STORE_UNAVAILABLE') this.#storeError = error.message;
      throw error;
    }
  }

  take(slot: number, reason: SnapshotReason): Promise<SnapshotMeta> {
    return this.#serial(slot, async () => {
      const started = performance.now();
      try {
        const wid = this.#opts.accounts.wid(slot);
        if (!wid) throw new SnapshotError('NOT_READY', `slot ${slot} has no known WhatsApp account yet (pair it first)`);
        const archive = await packProfile(this.#opts.profileDirOf(slot), this.#opts.scratchRoot, this.#opts.limits ?? DEFAULT_LIMITS);
        const createdAt = Date.now();
        const { blob, header } = sealSnapshot(this.#opts.key, archive, { slot, wid, createdAt, reason });
        const meta: SnapshotMeta = { id: newSnapshotId(createdAt), slot, wid, createdAt, reason, bytes: blob.length, sha256: header.sha256, formatVersion: FORMAT_VERSION };
        await this.#storeCall('store', () => this.store.put(meta, blob));
        this.#newest.set(slot, meta);
        this.#lastError.set(slot, null);
        await this.#prune(slot);
        const ms = performance.now() - started;
        this.#opts.logger.info({ slot, snapshot: meta.id, bytes: meta.bytes, reason, ms: Math.round(ms), store: this.store.kind }, 'session snapshot stored');
        this.#opts.events?.onTaken?.(slot, meta, ms);
        return meta;
      } catch (err) {
        const error = asSnapshotError(err, 'STORE_UNAVAILABLE', 'snapshot failed');
        this.#lastError.set(slot, error.message);
        this.#opts.logger.warn({ slot, code: error.code, error: error.message, reason }, 'session snapshot not stored');
        this.#opts.events?.onTakeFailed?.(slot, error);
        throw error;
      }
    });
  }

  /** Old snapshots go only after a new one is safely stored; a failed delete is retried next time. */
  async #prune(slot: number): Promise<void> {
    try {
      const all = await this.store.list(slot);
      for (const old of all.slice(Math.max(1, this.#opts.keep))) await this.store.delete(slot, old.id);
    } catch (err) {
      this.#opts.logger.warn({ slot, err: String(err) }, 'could not prune old snapshots');
    }
  }

  async list(slot: number): Promise<SnapshotMeta[]> {
    const list = await this.#storeCall('list', () => this.store.list(slot));
    this.#newest.set(slot, list[0] ?? null);
    return list;
  }

  async newest(slot: number): Promise<SnapshotMeta | null> {
    return (await this.list(slot))[0] ?? null;
  }

  restore(slot: number, opts: RestoreOptions = {}): Promise<RestoreResult> {
    return this.#serial(slot, () => this.#restore(slot, opts, true));
  }

  /** The snapshot a restore would use, fully checked (key, sha256, slot, account), without unpacking. */
  check(slot: number, opts: RestoreOptions = {}): Promise<RestoreResult> {
    return this.#serial(slot, () => this.#restore(slot, opts, false));
  }

  async #restore(slot: number, opts: RestoreOptions, apply: boolean): Promise<RestoreResult> {
    const started = performance.now();
    try {
      const all = await this.list(slot);
      let candidates = all;
      if (opts.snapshotId !== undefined) {
        candidates = all.filter((m) => m.id === opts.snapshotId);
        if (candidates.length === 0) throw new SnapshotError('NOT_FOUND', `slot ${slot} has no snapshot ${JSON.stringify(opts.snapshotId)}`);
      }
      if (candidates.length === 0) throw new SnapshotError('NOT_FOUND', `slot ${slot} has no snapshot in the ${this.store.kind} store`);
      const skipped: RestoreResult['skipped'] = [];
      let firstError: SnapshotError | null = null;
      for (const meta of candidates) {
        try {
          const { archive, wid } = await this.#open(slot, meta, opts.force === true);
          if (!apply) return { snapshot: meta, skipped };
          await this.#apply(slot, archive, wid);
          const ms = performance.now() - started;
          this.#lastError.set(slot, null);
          this.#opts.logger.info({ slot, snapshot: meta.id, skipped, ms: Math.round(ms) }, 'session restored from snapshot');
          this.#opts.events?.onRestored?.(slot, meta, ms);
          return { snapshot: meta, skipped };
        } catch (err) {
          const error = asSnapshotError(err, 'CORRUPT', `snapshot ${meta.id}`);
          if (error.code === 'STORE_UNAVAILABLE') throw error;
          firstError ??= error;
          skipped.push({ id: meta.id, reason: error.message });
          this.#opts.logger.warn({ slot, snapshot: meta.id, code: error.code, error: error.message }, 'snapshot refused; trying an older one');
        }
      }
      const tried = skipped.length > 1 ? ` (all ${skipped.length} snapshots refused)` : '';
      throw new SnapshotError(firstError!.code, `${firstError!.message}${tried}`);
    } catch (err) {
      const error = asSnapshotError(err, 'CORRUPT', 'restore failed');
      this.#lastError.set(slot, `restore failed: ${error.message}`);
      this.#opts.events?.onRestoreFailed?.(slot, error);
      throw error;
    }
  }

  /** Fetch, decrypt and verify one snapshot for this slot. */
  async #open(slot: number, meta: SnapshotMeta, force: boolean): Promise<{ archive: Buffer; wid: string }> {
    const blob = await this.#storeCall('fetch', () => this.store.get(slot, meta.id));
    if (!blob) throw new SnapshotError('NOT_FOUND', `snapshot ${meta.id} vanished from the store`);
    const { archive, header } = openSnapshot(this.#opts.key, blob);
    if (header.slot !== slot) throw new SnapshotError('CORRUPT', `snapshot ${meta.id} belongs to slot ${header.slot}, not ${slot}`);
    const known = this.#opts.accounts.wid(slot);
    if (known && known !== header.wid && !force) {
      throw new SnapshotError('OTHER_ACCOUNT', `snapshot ${meta.id} is of ${header.wid}, but slot ${slot} last ran ${known} (restore with force to accept)`);
    }
    return { archive, wid: header.wid };
  }

  /** Unpack beside the profile, then swap it in. */
  async #apply(slot: number, archive: Buffer, wid: string): Promise<void> {
    const profileDir = this.#opts.profileDirOf(slot);
    fs.mkdirSync(path.dirname(profileDir), { recursive: true });
    const unpacked = scratchDir(profileDir, 'restoring');
    try {
      await unpackArchive(archive, unpacked);
      swapProfile(unpacked, profileDir);
    } finally {
      fs.rmSync(unpacked, { recursive: true, force: true, maxRetries: 3 });
    }
    this.#opts.accounts.setAccount(slot, wid);
  }

  /**
   * Before a slot's browser launches: a missing or unusable profile is replaced by the newest
   * valid snapshot. Returns what happened; throws (SnapshotError) when a restore was due and failed.
   */
  async prepareProfile(slot: number): Promise<RestoreResult | null> {
    if (profileUsable(this.#opts.profileDirOf(slot))) return null;
    if (this.#opts.accounts.loggedOut(slot)) return null;
    const list = await this.list(slot).catch((err: SnapshotError) => {
      this.#lastError.set(slot, `restore failed: ${err.message}`);
      this.#opts.events?.onRestoreFailed?.(slot, err);
      throw err;
    });
    if (list.length === 0) return null;
    return this.restore(slot);
  }

  /** Run work (stop, restore, start) with the slot marked as restoring. */
  async duringRestore<T>(slot: number, work: () => Promise<T>): Promise<T> {
    this.#restoring.add(slot);
    try {
      return await work();
    } finally {
      this.#restoring.delete(slot);
    }
  }

  /** The account logged out: its snapshots are worthless and must never bring it back. */
  forget(slot: number): Promise<void> {
    this.#opts.accounts.markLoggedOut(slot);
    this.#newest.set(slot, null);
    return this.#serial(slot, async () => {
      const all = await this.store.list(slot);
      for (const meta of all) await this.store.delete(slot, meta.id);
      this.#opts.logger.info({ slot, deleted: all.length }, 'logged out: snapshots of the slot deleted');
    }).catch((err: unknown) => this.#opts.logger.warn({ slot, err: String(err) }, 'could not delete the snapshots of a logged-out slot'));
  }

  /** Fill the newest-snapshot cache that health shows (in the background at start). */
  async warm(slots: number): Promise<void> {
    for (let slot = 1; slot <= slots; slot++) await this.list(slot).catch(() => undefined);
  }

  health(slot: number): SlotSnapshotHealth {
    const newest = this.#newest.get(slot) ?? null;
    return {
      newest: newest
        ? { id: newest.id, createdAt: newest.createdAt, ageSeconds: Math.max(0, Math.floor((Date.now() - newest.createdAt) / 1000)), bytes: newest.bytes, wid: newest.wid }
        : null,
      lastError: this.#lastError.get(slot) ?? null,
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()]);
    await this.store.close();
  }
}
