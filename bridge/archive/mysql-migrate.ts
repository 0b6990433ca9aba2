// Upgrading a MySQL archive while bridges keep running. One bridge at a time migrates, under the
// lock row (schema-lock.ts); the others wait for the schema to reach their code and meanwhile
// serve as during an outage (writes spooled, archive reads refused with ARCHIVE_MIGRATING).
// Progress is kept for /api/health. Every statement is safe to run twice and the backfill
// resumes, so a holder that dies half-way leaves work the next holder simply finishes.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import { assertCompatible, pending, type Migration } from './migrations.js';
import { MYSQL_BACKFILL_VERSION, MYSQL_VERSION_TABLE, MYSQL_VERSION_TABLE_MIN_CODE } from './mysql-schema.js';
import { backfillTerms } from './mysql-terms.js';
import { SCHEMA_LOCK_TABLE, SchemaLock } from './schema-lock.js';

export interface MigrationProgress {
  /** `this bridge` runs the migrations; `another bridge` holds the lock and this one waits. */
  by: 'this bridge' | 'another bridge';
  /** The lock holder (host:pid:random) while another bridge migrates. */
  holder: string | null;
  /** Schema version when this bridge started waiting or migrating, and the one its code needs. */
  from: number;
  to: number;
  /** The migration running now (this bridge only). */
  version: number | null;
  name: string | null;
  /** Rows done / to do in a migration that walks the messages (the search index backfill). */
  rowsDone: number | null;
  rowsTotal: number | null;
  startedAt: string;
}

export interface SchemaState {
  version: number;
  /** The oldest code level this schema accepts. */
  minCode: number;
}

export interface MigratorOptions {
  migrations: readonly Migration[];
  /** The newest migration this code knows (tests: lower, to play an older release). */
  codeLevel: number;
  logger: Logger;
  /** The writer pool now (it is replaced after an outage). */
  pool: () => Pool;
  backfillBatch?: number;
  lockTtlMs?: number;
  /** How often a waiting bridge looks again (default 1 s). */
  pollMs?: number;
  /** Tests: called before each migration's statements (a hook to hold it there). */
  beforeMigration?: (m: Migration) => Promise<void> | void;
  /** Stop between steps (the store is closing). */
  stopped: () => boolean;
}

export class MysqlMigrator {
  progress: MigrationProgress | null = null;
  readonly lock: SchemaLock;

  constructor(private readonly opts: MigratorOptions) {
    this.lock = new SchemaLock(opts.pool, `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`, opts.lockTtlMs);
  }

  /**
   * The version and lock tables exist, old rows carry their `min_code`, and the schema accepts this
   * code (else ArchiveSchemaError, before anything else is touched).
   */
  async prepare(conn: PoolConnection): Promise<SchemaState> {
    await conn.query(MYSQL_VERSION_TABLE);
    const [column] = await conn.query<RowDataPacket[]>("SHOW COLUMNS FROM schema_migrations LIKE 'min_code'");
    const hasRange = column.length > 0;
    const state = await readSchema(conn, hasRange);
    assertCompatible(state, this.opts.codeLevel, 'MySQL archive');
    if (!hasRange) await conn.query(MYSQL_VERSION_TABLE_MIN_CODE);
    await conn.query(SCHEMA_LOCK_TABLE);
    // Rows recorded before the range existed get the values this code knows for them.
    for (const m of this.opts.migrations) {
      if (m.version > state.version) continue;
      await conn.query('UPDATE schema_migrations SET min_code = ? WHERE version = ? AND min_code IS NULL', [m.minCode ?? 1, m.version]);
    }
    return readSchema(conn);
  }

  /** Bring the schema up to this code's level (or wait while another bridge does); the version reached. */
  async run(): Promise<number> {
    const startedAt = new Date().toISOString();
    for (;;) {
      if (this.opts.stopped()) throw new Error('archive closed during the schema upgrade');
      const conn = await this.opts.pool().getConnection();
      let holder: string | null = null;
      let version = 0;
      try {
        version = (await readSchema(conn)).version;
        if (version >= this.opts.codeLevel) return version;
        if (await this.lock.acquire()) {
          try {
            return await this.migrateHolding(conn, startedAt);
          } finally {
            await this.lock.release().catch(() => undefined);
          }
        }
        holder = await this.lock.currentHolder();
      } finally {
        conn.release();
      }
      if (this.progress?.by !== 'another bridge') this.opts.logger.info({ holder }, 'archive: another bridge is upgrading the MySQL schema; waiting for it');
      this.progress = { by: 'another bridge', holder, from: version, to: this.opts.codeLevel, version: null, name: null, rowsDone: null, rowsTotal: null, startedAt };
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 1000).unref());
    }
  }

  private async migrateHolding(conn: PoolConnection, startedAt: string): Promise<number> {
    let lost = false;
    const renew = setInterval(() => {
      this.lock.renew().then((ok) => { lost ||= !ok; }, () => undefined);
    }, Math.max(50, this.lock.ttlMs / 3));
    renew.unref();
    const check = () => {
      if (lost) throw new Error('archive: the schema lock passed to another bridge; this one stops migrating');
      if (this.opts.stopped()) throw new Error('archive closed during the schema upgrade');
    };
    try {
      let version = (await readSchema(conn)).version;
      const todo = pending(this.opts.migrations, version, this.opts.codeLevel);
      for (const m of todo) {
        check();
        this.progress = { by: 'this bridge', holder: this.lock.holder, from: version, to: this.opts.codeLevel, version: m.version, name: m.name, rowsDone: null, rowsTotal: null, startedAt };
        await this.opts.beforeMigration?.(m);
        check();
        this.opts.logger.info({ version: m.version, name: m.name }, 'archive: upgrading the MySQL schema');
        for (const sql of m.statements) await conn.query(sql);
        if (m.version === MYSQL_BACKFILL_VERSION) await this.backfill(conn, check);
        await conn.query('INSERT IGNORE INTO schema_migrations (version, name, applied_at, min_code) VALUES (?, ?, ?, ?)', [
          m.version, m.name, Math.floor(Date.now() / 1000), m.minCode ?? 1,
        ]);
        version = m.version;
      }
      return version;
    } finally {
      clearInterval(renew);
    }
  }

  /** Index the messages an older schema stored (resumable: an interrupted run picks up where it stopped). */
  private async backfill(conn: PoolConnection, check: () => void): Promise<void> {
    const started = Date.now();
    let logged = started;
    const [left] = await conn.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM messages WHERE pk > (SELECT COALESCE(MAX(msg_rowid), 0) FROM message_terms)',
    );
    if (this.progress) Object.assign(this.progress, { rowsDone: 0, rowsTotal: Number(left[0]?.n ?? 0) });
    const done = await backfillTerms(conn, this.opts.backfillBatch, (n) => {
      if (this.progress) this.progress.rowsDone = n;
      check();
      if (Date.now() - logged < 10_000) return;
      logged = Date.now();
      this.opts.logger.info({ messages: n }, 'archive: MySQL search index being built from stored messages');
    });
    if (done > 0) this.opts.logger.info({ messages: done, ms: Date.now() - started }, 'archive: MySQL search index built');
  }
}

/** The schema's version and the oldest code it accepts (a row without `min_code`: its own version). */
async function readSchema(conn: PoolConnection, hasRange = true): Promise<SchemaState> {
  const needs = hasRange ? 'COALESCE(min_code, version)' : 'version';
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT COALESCE(MAX(version), 0) AS v, COALESCE(MAX(${needs}), 1) AS needs FROM schema_migrations`,
  );
  return { version: Number(rows[0]?.v ?? 0), minCode: Number(rows[0]?.needs ?? 1) };
}

/** One line for health and for reads refused meanwhile. */
export function describeMigration(p: MigrationProgress): string {
  if (p.by === 'another bridge') return `another bridge (${p.holder ?? 'unknown'}) is upgrading the archive schema to version ${p.to}; this one waits`;
  const rows = p.rowsTotal !== null ? `, ${p.rowsDone ?? 0} of ${p.rowsTotal} messages` : '';
  return `upgrading the archive schema: version ${p.version} (${p.name}) of ${p.to}${rows}`;
}
