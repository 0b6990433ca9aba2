// The bridge's own state, shared by every node of a cluster in MySQL/MariaDB: the same tables as
// the local bridge.db (bridge/state/db.ts), so a phone paired on one node works on all of them and
// a queued message is claimed by whichever node holds its slot's lease. `shared_` keeps them apart
// from the archive's tables in the same database. MySQL DDL is not transactional: each statement
// is safe to run twice (CREATE … IF NOT EXISTS), by any node, while others run.
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { ensureClusterTables } from '../schema.js';

const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

export const SHARED_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS shared_devices (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    token_hash CHAR(64) NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NULL,
    slots VARCHAR(400) NULL,
    role VARCHAR(16) NOT NULL DEFAULT 'manage'
  ) ${TABLE}`,
  `CREATE TABLE IF NOT EXISTS shared_audit (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor VARCHAR(64) NOT NULL,
    action VARCHAR(64) NOT NULL,
    detail TEXT NULL,
    ip VARCHAR(64) NULL,
    node VARCHAR(64) NOT NULL
  ) ${TABLE}`,
  // claimed_fence: the lease fence under which a node took the entry (a zombie's claim is refused).
  // unconfirmed: failed because its send was interrupted under another lease (outbox.ts).
  `CREATE TABLE IF NOT EXISTS shared_outbox (
    id CHAR(36) NOT NULL PRIMARY KEY,
    seq BIGINT NOT NULL AUTO_INCREMENT UNIQUE,
    slot INT NOT NULL,
    chat_id VARCHAR(200) NOT NULL,
    kind VARCHAR(8) NOT NULL,
    payload LONGTEXT NOT NULL,
    status VARCHAR(8) NOT NULL,
    attempted_at BIGINT NULL,
    claimed_fence BIGINT NULL,
    claimed_by VARCHAR(64) NULL,
    message_id VARCHAR(200) NULL,
    error TEXT NULL,
    created_at BIGINT NOT NULL,
    unconfirmed TINYINT NOT NULL DEFAULT 0,
    KEY shared_outbox_pending (slot, status, seq)
  ) ${TABLE}`,
  // Which phones have a live socket on which node (cluster/presence.ts): '' = no installation id.
  `CREATE TABLE IF NOT EXISTS shared_presence (
    node VARCHAR(64) NOT NULL,
    device_id VARCHAR(64) NOT NULL,
    installation_id VARCHAR(200) NOT NULL,
    round BIGINT NOT NULL,
    expires_at DATETIME(3) NOT NULL,
    PRIMARY KEY (node, device_id, installation_id),
    KEY shared_presence_device (device_id, installation_id)
  ) ${TABLE}`,
  // A large queued payload in pieces (outbox.ts): no statement over max_allowed_packet.
  `CREATE TABLE IF NOT EXISTS shared_outbox_chunks (
    id CHAR(36) NOT NULL,
    n INT NOT NULL,
    data LONGTEXT NOT NULL,
    PRIMARY KEY (id, n)
  ) ${TABLE}`,
  // Send-limit counters (rate-limits.ts); the columns are rate-limiter-flexible's, in its order.
  `CREATE TABLE IF NOT EXISTS shared_rate_limits (
    \`key\` VARCHAR(255) NOT NULL,
    points INT NOT NULL DEFAULT 0,
    expire BIGINT UNSIGNED NULL,
    PRIMARY KEY (\`key\`)
  ) ${TABLE}`,
  `CREATE TABLE IF NOT EXISTS shared_idempotency (
    slot INT NOT NULL,
    \`key\` VARCHAR(200) NOT NULL,
    result TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (slot, \`key\`),
    KEY shared_idempotency_age (created_at)
  ) ${TABLE}`,
  // node: who recorded it, so each node replays (and confirms) only what its own archive batches hold.
  `CREATE TABLE IF NOT EXISTS shared_sent_messages (
    slot INT NOT NULL,
    message_id VARCHAR(200) NOT NULL,
    node VARCHAR(64) NOT NULL,
    message LONGTEXT NOT NULL,
    created_at BIGINT NOT NULL,
    archived TINYINT NOT NULL DEFAULT 0,
    PRIMARY KEY (slot, message_id),
    KEY shared_sent_unarchived (node, archived, created_at)
  ) ${TABLE}`,
  `CREATE TABLE IF NOT EXISTS shared_send_attempts (
    slot INT NOT NULL,
    \`key\` VARCHAR(200) NOT NULL,
    target VARCHAR(200) NOT NULL,
    body TEXT NOT NULL,
    attempted_at BIGINT NOT NULL,
    PRIMARY KEY (slot, \`key\`)
  ) ${TABLE}`,
  // FCM tokens run to 4 KiB: unique by their SHA-256, which fits an index.
  `CREATE TABLE IF NOT EXISTS shared_push_registrations (
    device_id VARCHAR(200) NOT NULL,
    installation_id VARCHAR(200) NOT NULL,
    token TEXT NOT NULL,
    token_hash CHAR(64) NOT NULL UNIQUE,
    platform VARCHAR(32) NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, installation_id)
  ) ${TABLE}`,
  // Admin-app sign-in sessions (bridge/auth/sessions.ts): hashes only, like the device tokens.
  `CREATE TABLE IF NOT EXISTS shared_sessions (
    id_hash CHAR(64) NOT NULL PRIMARY KEY,
    token_hash CHAR(64) NOT NULL,
    device_id VARCHAR(64) NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    KEY shared_sessions_device (device_id),
    KEY shared_sessions_expiry (expires_at)
  ) ${TABLE}`,
  // Where phones reach each node (HTTPS) and the certificate to pin there: each node has its own.
  `CREATE TABLE IF NOT EXISTS shared_node_endpoints (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    url VARCHAR(255) NOT NULL,
    https_url VARCHAR(255) NULL,
    fingerprint VARCHAR(128) NULL,
    next_fingerprint VARCHAR(128) NULL,
    updated_at BIGINT NOT NULL
  ) ${TABLE}`,
];

/**
 * Columns added after their table was first released, for databases created before. Expand only:
 * each has a default, so nodes of the previous release, which never name it, keep working.
 */
export const ADDED_COLUMNS: readonly { table: string; column: string; definition: string }[] = [
  { table: 'shared_outbox', column: 'unconfirmed', definition: 'TINYINT NOT NULL DEFAULT 0' },
];

/** MySQL's "Duplicate column name": another node added it a moment earlier. */
const ER_DUP_FIELDNAME = 1060;

/** Create the shared tables (and the lease tables they are checked against) when missing. */
export async function ensureSharedTables(pool: Pool): Promise<void> {
  await ensureClusterTables(pool);
  for (const statement of SHARED_TABLES) await pool.query(statement);
  for (const { table, column, definition } of ADDED_COLUMNS) {
    // information_schema rather than ADD COLUMN IF NOT EXISTS, which MySQL (unlike MariaDB) lacks.
    const [rows] = await pool.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
      [table, column],
    );
    if (Number(rows[0]?.n) > 0) continue;
    await pool.query(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`).catch((err: { errno?: number }) => {
      if (err.errno !== ER_DUP_FIELDNAME) throw err;
    });
  }
}
