// Cluster mode's shared state: the stores that live in bridge.db on a single node (devices, audit,
// outbox, idempotency, sent-message ledger, FCM registrations) opened on the shared MySQL database
// instead, so every node answers for the same phones and the same queue.
import mysql, { type Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import { ClusterDirectory } from '../directory.js';
import { MysqlAuditLog } from './audit.js';
import { MysqlDeviceRepo } from './devices.js';
import { MysqlLedger } from './ledger.js';
import { MysqlIdempotency, MysqlOutbox, type FenceOf } from './outbox.js';
import { MysqlPushRegistrations } from './push-registrations.js';
import { MysqlSessionRepo } from './sessions.js';
import { ensureSharedTables } from './schema.js';

export type { FenceOf } from './outbox.js';

export interface SharedState {
  pool: Pool;
  nodeId: string;
  directory: ClusterDirectory;
  devices: MysqlDeviceRepo;
  sessions: MysqlSessionRepo;
  audit: MysqlAuditLog;
  outbox: MysqlOutbox;
  idempotency: MysqlIdempotency;
  ledger: MysqlLedger;
  pushRegistrations: MysqlPushRegistrations;
  close(): Promise<void>;
}

export interface SharedStateOptions {
  dbUrl: string;
  nodeId: string;
  logger: Logger;
  /** The lease this node holds for a slot (the lease manager's view); default: read from the database. */
  fenceOf?: FenceOf;
}

export async function openSharedState(opts: SharedStateOptions): Promise<SharedState> {
  const pool = mysql.createPool({ uri: opts.dbUrl, connectionLimit: 6, connectTimeout: 5000, charset: 'utf8mb4', enableKeepAlive: true, supportBigNumbers: true });
  try {
    await ensureSharedTables(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`cluster: cannot prepare the shared tables in the database: ${(err as Error).message}`, { cause: err });
  }
  const directory = new ClusterDirectory(pool, opts.nodeId);
  const audit = new MysqlAuditLog(pool, opts.nodeId, opts.logger);
  return {
    pool,
    nodeId: opts.nodeId,
    directory,
    devices: new MysqlDeviceRepo(pool),
    sessions: new MysqlSessionRepo(pool),
    audit,
    outbox: new MysqlOutbox(pool, opts.fenceOf ?? ((slot) => directory.myFence(slot))),
    idempotency: new MysqlIdempotency(pool),
    ledger: new MysqlLedger(pool, opts.nodeId),
    pushRegistrations: new MysqlPushRegistrations(pool),
    async close() {
      await audit.settled();
      await pool.end();
    },
  };
}
