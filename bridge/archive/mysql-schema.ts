// The MySQL/MariaDB archive schema. Search reads `message_terms`, an inverted index the bridge
// writes itself (version 3); versions 1-2 indexed `search_text` with InnoDB FULLTEXT, dropped in 4.
// MySQL DDL is not transactional: every statement is written to be safe to run twice.
import type { Migration } from './migrations.js';

export const MYSQL_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'messages and full-text index',
    statements: [
      `CREATE TABLE IF NOT EXISTS messages (
        pk BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        slot SMALLINT UNSIGNED NOT NULL,
        id VARCHAR(255) NOT NULL,
        chat_id VARCHAR(128) NOT NULL,
        from_me TINYINT NOT NULL DEFAULT 0,
        timestamp BIGINT NOT NULL,
        type VARCHAR(32) NOT NULL DEFAULT 'chat',
        body MEDIUMTEXT NOT NULL,
        caption TEXT NULL,
        filename VARCHAR(1024) NULL,
        mimetype VARCHAR(255) NULL,
        has_media TINYINT NOT NULL DEFAULT 0,
        sender_name VARCHAR(255) NOT NULL DEFAULT '',
        author VARCHAR(128) NULL,
        ack TINYINT NOT NULL DEFAULT 1,
        search_text MEDIUMTEXT NOT NULL,
        UNIQUE KEY messages_slot_id (slot, id),
        KEY messages_chat (slot, chat_id, timestamp, pk),
        FULLTEXT KEY messages_ft (search_text)
      ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
    ],
  },
  {
    version: 2,
    name: 'edits, revokes, poll options and votes',
    statements: [
      'ALTER TABLE messages ADD COLUMN IF NOT EXISTS edited_at BIGINT NULL, ADD COLUMN IF NOT EXISTS revoked_at BIGINT NULL',
      `CREATE TABLE IF NOT EXISTS poll_options (
        slot SMALLINT UNSIGNED NOT NULL, message_id VARCHAR(255) NOT NULL, idx SMALLINT UNSIGNED NOT NULL,
        name VARCHAR(1024) NOT NULL,
        PRIMARY KEY (slot, message_id, idx)
      ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
      `CREATE TABLE IF NOT EXISTS poll_votes (
        slot SMALLINT UNSIGNED NOT NULL, message_id VARCHAR(255) NOT NULL, voter VARCHAR(128) NOT NULL,
        selected TEXT NOT NULL, timestamp BIGINT NOT NULL,
        PRIMARY KEY (slot, message_id, voter)
      ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
    ],
  },
  {
    // The app's own inverted index (mysql-terms.ts). The migration runner backfills it from the
    // messages already stored before it records this version (see MYSQL_BACKFILL_VERSION).
    version: 3,
    name: 'message_terms inverted index',
    statements: [
      `CREATE TABLE IF NOT EXISTS message_terms (
        slot SMALLINT UNSIGNED NOT NULL,
        term VARCHAR(60) NOT NULL,
        msg_rowid BIGINT UNSIGNED NOT NULL,
        tf SMALLINT UNSIGNED NOT NULL,
        dl SMALLINT UNSIGNED NOT NULL,
        ts BIGINT NOT NULL,
        PRIMARY KEY (slot, term, msg_rowid),
        KEY message_terms_doc (slot, msg_rowid, term, tf)
      ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
    ],
  },
  {
    // Search no longer reads the FULLTEXT index, and keeping it up to date cost every write.
    version: 4,
    name: 'drop the unused FULLTEXT index',
    // Contract: bridges before version 3 searched through this index.
    minCode: 3,
    statements: ['ALTER TABLE messages DROP INDEX IF EXISTS messages_ft'],
  },
  {
    version: 5,
    name: 'media kept by the bridge',
    statements: [
      `CREATE TABLE IF NOT EXISTS media (
        slot SMALLINT UNSIGNED NOT NULL, message_id VARCHAR(255) NOT NULL, status VARCHAR(16) NOT NULL,
        sha256 CHAR(64) NULL, mimetype VARCHAR(255) NULL, filename VARCHAR(1024) NULL, size BIGINT NULL,
        duration_ms BIGINT NULL, updated_at BIGINT NOT NULL,
        PRIMARY KEY (slot, message_id)
      ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
    ],
  },
  {
    // The bridge's message sequence (domain/sequence.ts). Stored rows get theirs from the order
    // they were written in within each second of a slot, as the bridge would have numbered them.
    version: 6,
    name: 'message sequence',
    // Contract: older bridges write rows without `seq`, which chats are listed by from here on.
    minCode: 6,
    statements: [
      'ALTER TABLE messages ADD COLUMN IF NOT EXISTS seq BIGINT NULL',
      `UPDATE messages m JOIN (
         SELECT pk, timestamp * 1000 + LEAST(999, ROW_NUMBER() OVER (PARTITION BY slot, timestamp ORDER BY pk) - 1) AS seq FROM messages
       ) numbered ON numbered.pk = m.pk SET m.seq = numbered.seq WHERE m.seq IS NULL`,
      'ALTER TABLE messages ADD INDEX IF NOT EXISTS messages_chat_seq (slot, chat_id, seq, pk)',
      // Nothing reads by (timestamp, pk) any more; an older bridge still reads, only slower.
      'ALTER TABLE messages DROP INDEX IF EXISTS messages_chat',
    ],
  },
];

/** The migration after whose statements `message_terms` is filled from the stored messages. */
export const MYSQL_BACKFILL_VERSION = 3;

/**
 * One row per migration run; `min_code` is the oldest code level the schema accepts once it ran
 * (NULL in rows written before it existed: read as the row's own version, the old rule).
 */
export const MYSQL_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL, min_code INT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4`;

/** Databases created before the compatible range was recorded get the column. */
export const MYSQL_VERSION_TABLE_MIN_CODE = 'ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS min_code INT NULL';
