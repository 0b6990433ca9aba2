// The MySQL/MariaDB archive schema. InnoDB FULLTEXT indexes `search_text`, the normalised text
// with each token marked (normalise.ts) so short Arabic words and stopwords are indexed too.
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
];

export const MYSQL_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4`;
