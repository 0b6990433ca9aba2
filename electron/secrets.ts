// Secrets of the desktop app (admin token, MySQL password, FCM key path) kept in
// <userData>/secrets.json, encrypted with Electron's safeStorage when the OS offers it.
// On Linux without a keyring safeStorage falls back to 'basic_text' (a fixed key): we still
// use it, and report the backend so Settings can say the secrets are not really protected.
import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../bridge/files.js';

export const SECRETS_FILE = 'secrets.json';

export type SecretName = 'adminToken' | 'mysqlPassword' | 'firebaseServiceAccount' | 'sessionKey';

/** The part of Electron's safeStorage used here (a fake in tests). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/**
 * Name of the protection in use: 'keychain' (macOS), 'dpapi' (Windows), the Linux backend
 * ('gnome_libsecret', 'kwallet5', … or 'basic_text'), or 'unavailable' (stored as plain text).
 */
export function storageBackend(platform: NodeJS.Platform, safe: SafeStorageLike): string {
  if (!safe.isEncryptionAvailable()) return 'unavailable';
  if (platform === 'darwin') return 'keychain';
  if (platform === 'win32') return 'dpapi';
  return safe.getSelectedStorageBackend?.() ?? 'unknown';
}

/** Whether the backend really protects secrets (false for plain text and Linux's basic_text). */
export function isProtectedBackend(backend: string): boolean {
  return backend !== 'unavailable' && backend !== 'basic_text' && backend !== 'unknown';
}

interface Entry {
  enc: 'safeStorage' | 'plain';
  data: string;
}

export class SecretStore {
  private readonly file: string;

  constructor(
    dir: string,
    private readonly safe: SafeStorageLike,
    private readonly warn: (message: string) => void = () => {},
  ) {
    this.file = path.join(dir, SECRETS_FILE);
  }

  get(name: SecretName): string | undefined {
    const entry = this.read()[name];
    if (!entry) return undefined;
    try {
      if (entry.enc === 'plain') return Buffer.from(entry.data, 'base64').toString('utf8');
      return this.safe.decryptString(Buffer.from(entry.data, 'base64'));
    } catch (err) {
      // A new OS user, a reset keyring: the value is lost, not the app.
      this.warn(`secret "${name}" could not be decrypted (${(err as Error).message}); it must be set again`);
      return undefined;
    }
  }

  set(name: SecretName, value: string): void {
    const entries = this.read();
    entries[name] = this.safe.isEncryptionAvailable()
      ? { enc: 'safeStorage', data: this.safe.encryptString(value).toString('base64') }
      : { enc: 'plain', data: Buffer.from(value, 'utf8').toString('base64') };
    this.write(entries);
  }

  delete(name: SecretName): void {
    const entries = this.read();
    if (!(name in entries)) return;
    delete entries[name];
    this.write(entries);
  }

  private read(): Partial<Record<SecretName, Entry>> {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`${this.file} is unreadable (${(err as Error).message}); starting empty`);
      return {};
    }
    const out: Partial<Record<SecretName, Entry>> = {};
    if (!raw || typeof raw !== 'object') return out;
    for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
      const e = entry as Partial<Entry> | null;
      if (e && (e.enc === 'safeStorage' || e.enc === 'plain') && typeof e.data === 'string') out[name as SecretName] = e as Entry;
    }
    return out;
  }

  private write(entries: Partial<Record<SecretName, Entry>>): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeJsonAtomic(this.file, entries, { mode: 0o600 });
  }
}
