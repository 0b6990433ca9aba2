// The session key that encrypts snapshots: WA_BRIDGE_SESSION_KEY (base64, 32 bytes), or one
// generated once into the data dir with mode 0600. It is never logged and never sent anywhere.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const KEY_FILE = 'session-key';
export const KEY_BYTES = 32;

export class SessionKeyError extends Error {}

/** Decode a base64 (or base64url) key, refusing any that is not exactly 32 bytes. */
export function parseSessionKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new SessionKeyError(`${origin}: not base64`);
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== KEY_BYTES) throw new SessionKeyError(`${origin}: must be ${KEY_BYTES} bytes of base64 (got ${key.length})`);
  return key;
}

/** The configured key, else the data dir's key file, else a new one written there (0600). */
export function loadSessionKey(dataDir: string, configured?: string): Buffer {
  if (configured) return parseSessionKey(configured, 'WA_BRIDGE_SESSION_KEY');
  const file = path.join(dataDir, KEY_FILE);
  if (fs.existsSync(file)) return parseSessionKey(fs.readFileSync(file, 'utf8'), file);
  const key = randomBytes(KEY_BYTES);
  fs.mkdirSync(dataDir, { recursive: true });
  // 'wx': never overwrite a key another process wrote meanwhile (it would orphan its snapshots).
  try {
    fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return parseSessionKey(fs.readFileSync(file, 'utf8'), file);
    throw err;
  }
  return key;
}

/** A short public fingerprint of a key, stored in each snapshot to tell "wrong key" from damage. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('wa-bridge snapshot key id\0').update(key).digest('hex').slice(0, 16);
}
