// FCM tokens, one per device, kept in the bridge's local state database so they survive restarts.
import type { Database } from 'better-sqlite3';
import { BridgeError } from '../domain/index.js';

export interface StoredToken {
  deviceId: string;
  token: string;
  platform: string | null;
  updatedAt: number;
}

export interface TokenStore {
  /** Store (or replace) the device's token; the same token held by another device moves here. */
  register(deviceId: string, token: string, platform: string | null, now: number): void;
  remove(deviceId: string): void;
  /** Delete only if the device still holds this token (it may have re-registered meanwhile). */
  removeIfCurrent(deviceId: string, token: string): boolean;
  list(): StoredToken[];
}

// FCM tokens are ~150-250 URL-safe characters; allow headroom but refuse junk and whitespace.
const TOKEN_SHAPE = /^[A-Za-z0-9_:.\-]{16,4096}$/;
const PLATFORM_SHAPE = /^[A-Za-z0-9_.\-]{1,32}$/;

export function validateRegistration(deviceId: unknown, token: unknown, platform: unknown): void {
  if (typeof deviceId !== 'string' || deviceId.length === 0 || deviceId.length > 200) {
    throw new BridgeError('VALIDATION_ERROR', 'deviceId must be a non-empty string of at most 200 characters');
  }
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) {
    throw new BridgeError('VALIDATION_ERROR', 'token must be an FCM registration token (16-4096 URL-safe characters)');
  }
  if (platform !== undefined && platform !== null && (typeof platform !== 'string' || !PLATFORM_SHAPE.test(platform))) {
    throw new BridgeError('VALIDATION_ERROR', 'platform must be a short word such as "android" or "ios"');
  }
}

export function createTokenStore(db: Database): TokenStore {
  db.exec(`CREATE TABLE IF NOT EXISTS fcm_tokens (
    device_id TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    platform TEXT,
    updated_at INTEGER NOT NULL
  )`);
  const dropToken = db.prepare('DELETE FROM fcm_tokens WHERE token = ? AND device_id <> ?');
  const upsert = db.prepare(
    `INSERT INTO fcm_tokens (device_id, token, platform, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(device_id) DO UPDATE SET token = excluded.token, platform = excluded.platform, updated_at = excluded.updated_at`,
  );
  const removeDevice = db.prepare('DELETE FROM fcm_tokens WHERE device_id = ?');
  const removeExact = db.prepare('DELETE FROM fcm_tokens WHERE device_id = ? AND token = ?');
  const listAll = db.prepare('SELECT device_id, token, platform, updated_at FROM fcm_tokens ORDER BY device_id');

  // One phone re-paired under a new device id must not get every push twice.
  const register = db.transaction((deviceId: string, token: string, platform: string | null, now: number) => {
    dropToken.run(token, deviceId);
    upsert.run(deviceId, token, platform, now);
  });

  return {
    register(deviceId, token, platform, now) {
      validateRegistration(deviceId, token, platform);
      register(deviceId, token, platform, now);
    },
    remove(deviceId) {
      removeDevice.run(deviceId);
    },
    removeIfCurrent(deviceId, token) {
      return removeExact.run(deviceId, token).changes > 0;
    },
    list() {
      const rows = listAll.all() as { device_id: string; token: string; platform: string | null; updated_at: number }[];
      return rows.map((r) => ({ deviceId: r.device_id, token: r.token, platform: r.platform, updatedAt: r.updated_at }));
    },
  };
}
