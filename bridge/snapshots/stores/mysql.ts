// Snapshots in the archive's MySQL/MariaDB (WA_BRIDGE_SESSION_STORE=mysql), so a second machine
// can restore: the blob in 1 MiB rows (under any max_allowed_packet), then the metadata row with
// the chunk count and the blob's sha256, in one transaction; a reader checks both.
import { createHash } from 'node:crypto';
import mysql, { type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import { SnapshotError } from '../errors.js';
import { isSnapshotId, metaSchema } from '../ids.js';
import type { SnapshotMeta, SnapshotStore } from '../types.js';

export const CHUNK_BYTES = 1024 * 1024;

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

  constructor(url: string) {
    this.#pool = mysql.createPool({ uri: url, connectionLimit: 2, connectTimeout: 5000, enableKeepAlive: true });
    const parsed = new URL(url);
    this.where = `mysql://${parsed.host}${parsed.pathname}`;
  }

  /** Tables are created on first use; a failure is retried on the next call. */
  #ready(): Promise<void> {
    this.#schema ??= (async () => {
      for (const sql of SCHEMA) await this.#pool.query(sql);
    })().catch((err: unknown) => {
      this.#schema = null;
      throw err;
    });
    return this.#schema;
  }

  /** Run `work` in one transaction on one pooled connection: all of it or none. */
  async #inTransaction(work: (conn: PoolConnection) => Promise<void>): Promise<void> {
    const conn = await this.#pool.getConnection();
    try {
      await conn.beginTransaction();
      await work(conn);
      await conn.commit();
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  }

  async put(meta: SnapshotMeta, blob: Buffer): Promise<void> {
    if (!isSnapshotId(meta.id)) throw new Error(`invalid snapshot id ${JSON.stringify(meta.id)}`);
    await this.#ready();
    await this.#inTransaction(async (conn) => {
      const chunks = Math.max(1, Math.ceil(blob.length / CHUNK_BYTES));
      for (let seq = 0; seq < chunks; seq++) {
        await conn.query('INSERT INTO session_snapshot_chunks (slot, id, seq, data) VALUES (?, ?, ?, ?)', [meta.slot, meta.id, seq, blob.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES)]);
      }
      const blobSha = createHash('sha256').update(blob).digest('hex');
      await conn.query(
        'INSERT INTO session_snapshots (slot, id, wid, created_at, reason, bytes, sha256, blob_sha256, chunks, format_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [meta.slot, meta.id, meta.wid, meta.createdAt, meta.reason, meta.bytes, meta.sha256, blobSha, chunks, meta.formatVersion],
      );
    });
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
    await this.#inTransaction(async (conn) => {
      await conn.query('DELETE FROM session_snapshots WHERE slot = ? AND id = ?', [slot, id]);
      await conn.query('DELETE FROM session_snapshot_chunks WHERE slot = ? AND id = ?', [slot, id]);
    });
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }
}
