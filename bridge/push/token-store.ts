// FCM registrations, one per phone: a phone is its device token plus its installation id (the
// Firebase installation or a UUID the app made), so several phones sharing one device token
// each keep their own registration. Kept in the bridge's local state database.
import type { Database } from 'better-sqlite3';
import { BridgeError } from '../domain/index.js';

export interface StoredToken {
  deviceId: string;
  /** Null for a phone that registered without one (apps before installation ids). */
  installationId: string | null;
  token: string;
  platform: string | null;
  updatedAt: number;
}

/** The local SQLite store here, or the cluster's shared MySQL one (bridge/cluster/shared). */
export interface TokenStore {
  /** Store (or replace) this phone's token; the same token held by another phone moves here. */
  register(deviceId: string, token: string, platform: string | null, now: number, installationId?: string | null): Promise<void>;
  /** Forget every phone of a device token (revoked). */
  remove(deviceId: string): Promise<void>;
  /** Delete only if the phone still holds this token (it may have re-registered meanwhile). */
  removeIfCurrent(deviceId: string, token: string): Promise<boolean>;
  list(): Promise<StoredToken[]>;
}

// FCM tokens are ~150-250 URL-safe characters; allow headroom but refuse junk and whitespace.
const TOKEN_SHAPE = /^[A-Za-z0-9_:.\-]{16,4096}$/;
const PLATFORM_SHAPE = /^[A-Za-z0-9_.\-]{1,32}$/;
/** Firebase installation ids (22 URL-safe characters) and UUIDs both fit. */
export const INSTALLATION_SHAPE = /^[A-Za-z0-9_:.\-]{1,200}$/;

export function validateRegistration(deviceId: unknown, token: unknown, platform: unknown, installationId?: unknown): void {
  if (typeof deviceId !== 'string' || deviceId.length === 0 || deviceId.length > 200) {
    throw new BridgeError('VALIDATION_ERROR', 'deviceId must be a non-empty string of at most 200 characters');
  }
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) {
    throw new BridgeError('VALIDATION_ERROR', 'token must be an FCM registration token (16-4096 URL-safe characters)');
  }
  if (platform !== undefined && platform !== null && (typeof platform !== 'string' || !PLATFORM_SHAPE.test(platform))) {
    throw new BridgeError('VALIDATION_ERROR', 'platform must be a short word such as "android" or "ios"');
  }
  if (installationId !== undefined && installationId !== null && (typeof installationId !== 'string' || !INSTALLATION_SHAPE.test(installationId))) {
    throw new BridgeError('VALIDATION_ERROR', 'installationId must be 1-200 URL-safe characters (a Firebase installation id or a UUID)');
  }
}

/** Create the table; a data dir from before installation ids moves its rows over (as phones without one). */
function migrate(db: Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS push_registrations (
    device_id TEXT NOT NULL,
    installation_id TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    platform TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, installation_id)
  )`);
  const legacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fcm_tokens'").get();
  if (!legacy) return;
  db.transaction(() => {
    db.exec(`INSERT OR IGNORE INTO push_registrations (device_id, installation_id, token, platform, updated_at)
             SELECT device_id, '', token, platform, updated_at FROM fcm_tokens`);
    db.exec('DROP TABLE fcm_tokens');
  })();
}

/** SQLite does its work during the call; the promise only carries the answer (or the refusal). */
export function createTokenStore(db: Database): TokenStore {
  migrate(db);
  const dropToken = db.prepare('DELETE FROM push_registrations WHERE token = ? AND NOT (device_id = ? AND installation_id = ?)');
  const upsert = db.prepare(
    `INSERT INTO push_registrations (device_id, installation_id, token, platform, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(device_id, installation_id) DO UPDATE SET token = excluded.token, platform = excluded.platform, updated_at = excluded.updated_at`,
  );
  const removeDevice = db.prepare('DELETE FROM push_registrations WHERE device_id = ?');
  const removeExact = db.prepare('DELETE FROM push_registrations WHERE device_id = ? AND token = ?');
  const listAll = db.prepare('SELECT device_id, installation_id, token, platform, updated_at FROM push_registrations ORDER BY device_id, installation_id');

  // One phone re-paired under a new device id must not get every push twice.
  const register = db.transaction((deviceId: string, installationId: string, token: string, platform: string | null, now: number) => {
    dropToken.run(token, deviceId, installationId);
    upsert.run(deviceId, installationId, token, platform, now);
  });

  return {
    async register(deviceId, token, platform, now, installationId = null) {
      validateRegistration(deviceId, token, platform, installationId);
      register(deviceId, installationId ?? '', token, platform, now);
    },
    async remove(deviceId) {
      removeDevice.run(deviceId);
    },
    async removeIfCurrent(deviceId, token) {
      return removeExact.run(deviceId, token).changes > 0;
    },
    async list() {
      const rows = listAll.all() as { device_id: string; installation_id: string; token: string; platform: string | null; updated_at: number }[];
      return rows.map((r) => ({
        deviceId: r.device_id,
        installationId: r.installation_id || null,
        token: r.token,
        platform: r.platform,
        updatedAt: r.updated_at,
      }));
    },
  };
}
