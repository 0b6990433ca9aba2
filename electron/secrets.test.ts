import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../bridge/config.js';
import { PASSWORD_PLACEHOLDER, PATH_PLACEHOLDER, sealSettingsSecrets } from './sealed-settings.js';
import { SECRETS_FILE, SecretStore, isProtectedBackend, storageBackend, type SafeStorageLike } from './secrets.js';

/** Stands in for safeStorage: a reversible transform so plain text never appears on disk. */
function fakeSafe(opts: { available?: boolean; backend?: string } = {}): SafeStorageLike {
  return {
    isEncryptionAvailable: () => opts.available ?? true,
    encryptString: (s) => Buffer.from(`enc:${Buffer.from(s).toString('hex')}`),
    decryptString: (b) => {
      const text = b.toString();
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(text.slice(4), 'hex').toString();
    },
    getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
  };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('storageBackend', () => {
  it('names the OS protection, and Linux basic_text as unprotected', () => {
    expect(storageBackend('darwin', fakeSafe())).toBe('keychain');
    expect(storageBackend('win32', fakeSafe())).toBe('dpapi');
    expect(storageBackend('linux', fakeSafe({ backend: 'kwallet5' }))).toBe('kwallet5');
    expect(storageBackend('linux', fakeSafe({ backend: 'basic_text' }))).toBe('basic_text');
    expect(storageBackend('linux', fakeSafe({ available: false }))).toBe('unavailable');
    expect(isProtectedBackend('kwallet5')).toBe(true);
    expect(isProtectedBackend('basic_text')).toBe(false);
    expect(isProtectedBackend('unavailable')).toBe(false);
  });
});

describe('SecretStore', () => {
  it('keeps values encrypted on disk and reads them back', () => {
    const store = new SecretStore(dir, fakeSafe());
    store.set('adminToken', 'super-secret-token-value');
    const onDisk = fs.readFileSync(path.join(dir, SECRETS_FILE), 'utf8');
    expect(onDisk).not.toContain('super-secret-token-value');
    expect(JSON.parse(onDisk).adminToken.enc).toBe('safeStorage');
    expect(new SecretStore(dir, fakeSafe()).get('adminToken')).toBe('super-secret-token-value');
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, SECRETS_FILE)).mode & 0o077).toBe(0);
    store.delete('adminToken');
    expect(store.get('adminToken')).toBeUndefined();
  });

  it('stores plain (marked as such) when no encryption is available', () => {
    const store = new SecretStore(dir, fakeSafe({ available: false }));
    store.set('mysqlPassword', 'pw');
    expect(JSON.parse(fs.readFileSync(path.join(dir, SECRETS_FILE), 'utf8')).mysqlPassword.enc).toBe('plain');
    expect(store.get('mysqlPassword')).toBe('pw');
  });

  it('loses an undecryptable value with a warning instead of crashing', () => {
    fs.writeFileSync(path.join(dir, SECRETS_FILE), JSON.stringify({ adminToken: { enc: 'safeStorage', data: Buffer.from('garbage').toString('base64') } }));
    const warnings: string[] = [];
    expect(new SecretStore(dir, fakeSafe(), (m) => warnings.push(m)).get('adminToken')).toBeUndefined();
    expect(warnings[0]).toMatch(/adminToken.*set again/);
  });

  it('survives a damaged file', () => {
    fs.writeFileSync(path.join(dir, SECRETS_FILE), '[[[');
    const warnings: string[] = [];
    const store = new SecretStore(dir, fakeSafe(), (m) => warnings.push(m));
    expect(store.get('adminToken')).toBeUndefined();
    store.set('adminToken', 'x'.repeat(20));
    expect(store.get('adminToken')).toBe('x'.repeat(20));
    expect(warnings.length).toBeGreaterThan(0);
  });
});

describe('sealSettingsSecrets', () => {
  const dataDir = () => path.join(dir, 'data');
  const writeSettings = (obj: unknown) => {
    fs.mkdirSync(dataDir(), { recursive: true });
    fs.writeFileSync(path.join(dataDir(), 'config.json'), JSON.stringify(obj));
  };
  const readSettings = () => JSON.parse(fs.readFileSync(path.join(dataDir(), 'config.json'), 'utf8'));

  it('moves the MySQL password and FCM path out of config.json and hands them to loadConfig', () => {
    writeSettings({ slots: 4, dbUrl: 'mysql://root:p%40ss@127.0.0.1:3306/test', firebaseServiceAccount: '/keys/fcm.json' });
    const store = new SecretStore(dir, fakeSafe());
    const result = sealSettingsSecrets(dataDir(), store, {});
    expect(result.problems).toEqual([]);
    expect(readSettings()).toEqual({ slots: 4, dbUrl: `mysql://root:${PASSWORD_PLACEHOLDER}@127.0.0.1:3306/test`, firebaseServiceAccount: PATH_PLACEHOLDER });
    expect(fs.readFileSync(path.join(dir, SECRETS_FILE), 'utf8')).not.toContain('p@ss');
    expect(store.get('mysqlPassword')).toBe('p@ss');
    expect(result.overrides).toEqual({ dbUrl: 'mysql://root:p%40ss@127.0.0.1:3306/test', firebaseServiceAccount: '/keys/fcm.json' });

    // The next start reads the placeholders and still gets the real values; the file is unchanged.
    const before = fs.readFileSync(path.join(dataDir(), 'config.json'), 'utf8');
    const again = sealSettingsSecrets(dataDir(), store, {});
    expect(again.overrides).toEqual(result.overrides);
    expect(fs.readFileSync(path.join(dataDir(), 'config.json'), 'utf8')).toBe(before);
    const config = loadConfig({}, { dataDir: dataDir(), ...again.overrides });
    expect(config.dbUrl).toBe('mysql://root:p%40ss@127.0.0.1:3306/test');
    expect(config.firebaseServiceAccount).toBe('/keys/fcm.json');
    expect(config.slots).toBe(4);
  });

  it('seals a new password typed over the placeholder, and forgets one that was removed', () => {
    const store = new SecretStore(dir, fakeSafe());
    writeSettings({ dbUrl: 'mysql://root:old@127.0.0.1:3306/test' });
    sealSettingsSecrets(dataDir(), store, {});
    writeSettings({ dbUrl: 'mysql://root:new@127.0.0.1:3306/test' });
    expect(sealSettingsSecrets(dataDir(), store, {}).overrides.dbUrl).toBe('mysql://root:new@127.0.0.1:3306/test');
    writeSettings({ dbUrl: 'mysql://root@127.0.0.1:3306/test', firebaseServiceAccount: '' });
    expect(sealSettingsSecrets(dataDir(), store, {}).overrides).toEqual({});
    expect(store.get('mysqlPassword')).toBeUndefined();
  });

  it('leaves environment variables in charge', () => {
    const store = new SecretStore(dir, fakeSafe());
    writeSettings({ dbUrl: 'mysql://root:pw@127.0.0.1:3306/test', firebaseServiceAccount: '/keys/a.json' });
    const result = sealSettingsSecrets(dataDir(), store, { WA_BRIDGE_DB_URL: 'mysql://env@h/db', FIREBASE_SERVICE_ACCOUNT: '/env.json' });
    expect(result.overrides).toEqual({});
    expect(readSettings().dbUrl).toContain(PASSWORD_PLACEHOLDER); // still sealed
  });

  it('reports a placeholder whose secret is gone', () => {
    writeSettings({ dbUrl: `mysql://root:${PASSWORD_PLACEHOLDER}@127.0.0.1:3306/test`, firebaseServiceAccount: PATH_PLACEHOLDER });
    const result = sealSettingsSecrets(dataDir(), new SecretStore(dir, fakeSafe()), {});
    expect(result.overrides).toEqual({});
    expect(result.problems).toHaveLength(2);
  });

  it('does nothing for a missing or broken settings file (loadConfig reports that)', () => {
    const store = new SecretStore(dir, fakeSafe());
    expect(sealSettingsSecrets(dataDir(), store, {})).toEqual({ overrides: {}, problems: [] });
    fs.mkdirSync(dataDir(), { recursive: true });
    fs.writeFileSync(path.join(dataDir(), 'config.json'), '{oops');
    expect(sealSettingsSecrets(dataDir(), store, {})).toEqual({ overrides: {}, problems: [] });
    expect(fs.readFileSync(path.join(dataDir(), 'config.json'), 'utf8')).toBe('{oops');
  });
});
