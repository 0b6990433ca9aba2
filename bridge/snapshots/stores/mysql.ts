// Snapshots in the archive's MySQL/MariaDB (WA_BRIDGE_SESSION_STORE=mysql), so a second machine
// can restore: the blob in 1 MiB rows (under any max_allowed_packet), then the metadata row with
// the chunk count and the blob's sha256 (in cluster mode in a short transaction that checks the
// lease's fence); a reader sees a snapshot only through its metadata row and checks both.
import { createHash } from 'node:crypto';
import mysql, { type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import { inTransaction } from '../../archive/mysql-transaction.js';
import { SnapshotError } from '../errors.js';
import { isSnapshotId, metaSchema } from '../ids.js';
import type { SnapshotMeta, SnapshotStore } from '../types.js';

export const CHUNK_BYTES = 1024 * 1024;
/** Chunks without a metadata row this old are left over from an upload whose node died. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

/** Cluster mode: who may write a slot's snapshots now (this node and its fence), or null. */
export type FenceGuard = (slot: number) => { node: string; fence: number } | null;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS session_snapshots (
     slot INT NOT NULL,
     id VARCHAR(32) NOT NULL,
     wid VARCHAR(128) NOT NULL,
     created_at BIGINT NOT NULL,
     reason VARCHAR(16) NOT NULL,
     bytes INT NOT NULL,
     sha256 CHAR(64) NOT NULL,
     blob_sha256 CHAR(64) NOT NULL,
     chunks INT NOT NULL,
     format_version INT NOT NULL,
     PRIMARY KEY (slot, id)
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS session_snapshot_chunks (
     slot INT NOT NULL,
     id VARCHAR(32) NOT NULL,
     seq INT NOT NULL,
     data MEDIUMBLOB NOT NULL,
     PRIMARY KEY (slot, id, seq)
   ) ENGINE=InnoDB`,
];

function toMeta(row: RowDataPacket): SnapshotMeta {
  return metaSchema.parse({
    id: row.id,
    slot: Number(row.slot),
    wid: row.wid,
    createdAt: Number(row.created_at),
    reason: row.reason,
    bytes: Number(row.bytes),
    sha256: row.sha256,
    formatVersion: Number(row.format_version),
  });
}

export class MysqlSnapshotStore implements SnapshotStore {
  readonly kind = 'mysql' as const;
  readonly #pool: Pool;
  #schema: Promise<void> | null = null;
  readonly where: string;
  #guard: FenceGuard | null = null;

  constructor(url: string) {
    this.#pool = mysql.createPool({ uri: url, connectionLimit: 2, connectTimeout: 5000, enableKeepAlive: true });
    const parsed = new URL(url);
    this.where = `mysql://${parsed.host}${parsed.pathname}`;
  }

  /** Tables are created on first use; a failure is retried on the next call. */
  #ready(): Promise<void> {
    this.#schema ??= (async () => {
      for (const sql of SCHEMA) await this.#pool.query(sql);
      if (this.#guard) await this.#addFenceColumn();
    })().catch((err: unknown) => {
      this.#schema = null;
      throw err;
    });
    return this.#schema;
  }

  /**
   * Cluster mode: every write must come from the slot's lease holder. The check locks the lease
   * row for the transaction, so a takeover waits for a write in flight and refuses later ones.
   */
  fencedBy(guard: FenceGuard): void {
    this.#guard = guard;
    this.#schema = null;
  }

  /** Inside a write transaction: refuse (FENCED) unless this node still holds the slot's lease. */
  async #checkFence(conn: PoolConnection, slot: number): Promise<number | null> {
    if (!this.#guard) return null;
    const holder = this.#guard(slot);
    if (!holder) throw new SnapshotError('FENCED', `slot ${slot} is not held by this node: snapshot writes refused`);
    const [rows] = await conn.query<RowDataPacket[]>('SELECT (owner = ? AND fence = ? AND expires_at > NOW(3)) AS holds FROM slot_leases WHERE slot = ? FOR UPDATE', [holder.node, holder.fence, slot]);
    if (Number(rows[0]?.holds ?? 0) !== 1) throw new SnapshotError('FENCED', `slot ${slot}: lease fence ${holder.fence} of ${holder.node} is stale; snapshot write refused`);
    return holder.fence;
  }


  /** The fence a snapshot was written under (cluster mode; additive, so older nodes still read the table). */
  async #addFenceColumn(): Promise<void> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'session_snapshots' AND COLUMN_NAME = 'fence'",
    );
    if (Number(rows[0]?.n) === 0) await this.#pool.query('ALTER TABLE session_snapshots ADD COLUMN fence BIGINT NULL').catch(() => undefined);
  }

  async put(meta: SnapshotMeta, blob: Buffer): Promise<void> {
    if (!isSnapshotId(meta.id)) throw new Error(`invalid snapshot id ${JSON.stringify(meta.id)}`);
    await this.#ready();
    // A node that does not hold the slot uploads nothing.
    if (this.#guard && !this.#guard(meta.slot)) throw new SnapshotError('FENCED', `slot ${meta.slot} is not held by this node: snapshot writes refused`);
    const chunks = Math.max(1, Math.ceil(blob.length / CHUNK_BYTES));
    try {
      // The blob first, outside the fenced transaction: the lease row is then locked only for the
      // short commit below. Locked for the whole upload, it would hold up the owner's renewals
      // (a large profile, a slow link) until the owner self-fenced and this very write was refused.
      // Chunks without their metadata row are invisible to readers.
      for (let seq = 0; seq < chunks; seq++) {
        await this.#pool.query('INSERT INTO session_snapshot_chunks (slot, id, seq, data) VALUES (?, ?, ?, ?)', [meta.slot, meta.id, seq, blob.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES)]);
      }
      const blobSha = createHash('sha256').update(blob).digest('hex');
      await inTransaction(this.#pool, async (conn) => {
        const fence = await this.#checkFence(conn, meta.slot);
        await conn.query(
          'INSERT INTO session_snapshots (slot, id, wid, created_at, reason, bytes, sha256, blob_sha256, chunks, format_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [meta.slot, meta.id, meta.wid, meta.createdAt, meta.reason, meta.bytes, meta.sha256, blobSha, chunks, meta.formatVersion],
        );
        if (fence !== null) await conn.query('UPDATE session_snapshots SET fence = ? WHERE slot = ? AND id = ?', [fence, meta.slot, meta.id]);
      });
    } catch (err) {
      await this.#dropOrphanChunks(meta.slot, 'id = ?', [meta.id]).catch(() => undefined);
      throw err;
    }
    // Pieces an upload left when its node died mid-way; an hour old, so no upload is still under way.
    await this.#dropOrphanChunks(meta.slot, "CAST(SUBSTRING_INDEX(id, '-', 1) AS UNSIGNED) < ?", [Date.now() - ORPHAN_AGE_MS]).catch(() => undefined);
  }

  /** Chunks of this slot matching `where` that no metadata row claims. */
  async #dropOrphanChunks(slot: number, where: string, values: unknown[]): Promise<void> {
    await this.#pool.query(
      `DELETE FROM session_snapshot_chunks WHERE slot = ? AND ${where}
         AND NOT EXISTS (SELECT 1 FROM session_snapshots s WHERE s.slot = session_snapshot_chunks.slot AND s.id = session_snapshot_chunks.id)`,
      [slot, ...values],
    );
  }

  async get(slot: number, id: string): Promise<Buffer | null> {
    if (!isSnapshotId(id)) return null;
    await this.#ready();
    const [rows] = await this.#pool.query<RowDataPacket[]>('SELECT chunks, blob_sha256 FROM session_snapshots WHERE slot = ? AND id = ?', [slot, id]);
    const row = rows[0];
    if (!row) return null;
    const [chunks] = await this.#pool.query<RowDataPacket[]>('SELECT seq, data FROM session_snapshot_chunks WHERE slot = ? AND id = ? ORDER BY seq', [slot, id]);
    const blob = Buffer.concat(chunks.map((c) => c.data as Buffer));
    const complete = chunks.length === Number(row.chunks) && chunks.every((c, i) => Number(c.seq) === i);
    if (!complete || createHash('sha256').update(blob).digest('hex') !== row.blob_sha256) {
      throw new SnapshotError('CORRUPT', `snapshot ${id} in MySQL is incomplete or damaged (chunks or sha256 do not match)`);
    }
    return blob;
  }

  async list(slot: number): Promise<SnapshotMeta[]> {
    await this.#ready();
    const [rows] = await this.#pool.query<RowDataPacket[]>('SELECT * FROM session_snapshots WHERE slot = ? ORDER BY created_at DESC, id DESC', [slot]);
    return rows.map(toMeta);
  }

  async delete(slot: number, id: string): Promise<void> {
    if (!isSnapshotId(id)) return;
    await this.#ready();
    await inTransaction(this.#pool, async (conn) => {
      await this.#checkFence(conn, slot);
      await conn.query('DELETE FROM session_snapshots WHERE slot = ? AND id = ?', [slot, id]);
    });
    // Unreadable once the metadata row is gone: the pieces go after the lease row is free again.
    await this.#dropOrphanChunks(slot, 'id = ?', [id]);
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }
}
