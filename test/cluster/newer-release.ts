// Test fixture: the bridge of a release one schema step newer than this checkout, for the rolling
// upgrade test (test/cluster-e2e/rolling-upgrade.test.ts). It is this checkout's bridge with one
// more MySQL archive migration appended, then the ordinary entry point — nothing in the product
// reads anything test-only. The step is an expand step (no minCode), as the project's rules ask of
// every migration: older nodes keep working on the new schema. Its table copy holds a shared lock
// on `messages` (blocking the older nodes' archive writes) and the pause stands in for a long
// backfill, so the older nodes are seen answering while it runs.
import { latestVersion } from '../../bridge/archive/migrations.js';
import { MYSQL_MIGRATIONS } from '../../bridge/archive/mysql-schema.js';

const NEWER_VERSION = latestVersion(MYSQL_MIGRATIONS) + 1;

const seconds = Number(process.env.WAB_TEST_MIGRATION_PAUSE_S ?? '6');
MYSQL_MIGRATIONS.push({
  version: NEWER_VERSION,
  name: 'rolling upgrade test: a note per message',
  statements: [
    'ALTER TABLE messages ADD COLUMN IF NOT EXISTS rolling_note VARCHAR(64) NULL, ALGORITHM = COPY',
    `DO SLEEP(${seconds})`,
    "UPDATE messages SET rolling_note = 'upgraded' WHERE rolling_note IS NULL",
  ],
});

await import('../../bridge/main.js');
