// Moves secrets the admin app saved in plain <dataDir>/config.json (the MySQL password inside
// dbUrl, the FCM key path) into the SecretStore at start-up, leaving a placeholder in the file,
// and hands the real values to loadConfig as overrides. Settings then shows the placeholder;
// typing a new value seals it on the next start, removing it clears the stored one.
import { ENV_NAMES, type ConfigInput } from '../bridge/config.js';
import { writeJsonAtomic } from '../bridge/files.js';
import { readSettingsFile, settingsFilePath } from '../bridge/settings-file.js';
import type { SecretStore } from './secrets.js';

/** Stands for the stored MySQL password inside dbUrl. */
export const PASSWORD_PLACEHOLDER = '********';
/** Stands for the stored FCM service-account path. */
export const PATH_PLACEHOLDER = '(stored securely by the desktop app)';

export interface SealResult {
  overrides: Pick<ConfigInput, 'dbUrl' | 'firebaseServiceAccount'>;
  /** Things the owner must fix (shown in the log). */
  problems: string[];
}

function readSettings(dataDir: string): Record<string, unknown> | null {
  try {
    return readSettingsFile(dataDir);
  } catch {
    return null; // broken: loadConfig reports it itself
  }
}

function sealDbUrl(settings: Record<string, unknown>, store: SecretStore, result: SealResult, envSet: boolean): boolean {
  const value = settings.dbUrl;
  if (typeof value !== 'string' || !value.startsWith('mysql://')) {
    if (value === undefined) store.delete('mysqlPassword');
    return false;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false; // loadConfig / the archive report a malformed URL
  }
  let changed = false;
  if (url.password === '') {
    store.delete('mysqlPassword');
    return false;
  }
  if (url.password !== PASSWORD_PLACEHOLDER) {
    store.set('mysqlPassword', decodeURIComponent(url.password));
    url.password = PASSWORD_PLACEHOLDER;
    settings.dbUrl = url.href;
    changed = true;
  }
  const password = store.get('mysqlPassword');
  if (password === undefined) {
    result.problems.push('the MySQL password is no longer stored; enter it again in Settings');
  } else if (!envSet) {
    url.password = encodeURIComponent(password);
    result.overrides.dbUrl = url.href;
  }
  return changed;
}

function sealFcmPath(settings: Record<string, unknown>, store: SecretStore, result: SealResult, envSet: boolean): boolean {
  const value = settings.firebaseServiceAccount;
  if (typeof value !== 'string' || value === '') {
    if (value === undefined || value === '') store.delete('firebaseServiceAccount');
    return false;
  }
  let changed = false;
  if (value !== PATH_PLACEHOLDER) {
    store.set('firebaseServiceAccount', value);
    settings.firebaseServiceAccount = PATH_PLACEHOLDER;
    changed = true;
  }
  const stored = store.get('firebaseServiceAccount');
  if (stored === undefined) result.problems.push('the FCM service-account path is no longer stored; choose the key file again in Settings');
  else if (!envSet) result.overrides.firebaseServiceAccount = stored;
  return changed;
}

export function sealSettingsSecrets(dataDir: string, store: SecretStore, env: NodeJS.ProcessEnv = process.env): SealResult {
  const result: SealResult = { overrides: {}, problems: [] };
  const settings = readSettings(dataDir);
  if (!settings) return result;
  const has = (name: string): boolean => env[name] !== undefined && env[name] !== '';
  const changedDb = sealDbUrl(settings, store, result, has(ENV_NAMES.dbUrl));
  const changedFcm = sealFcmPath(settings, store, result, has(ENV_NAMES.firebaseServiceAccount));
  if (changedDb || changedFcm) {
    writeJsonAtomic(settingsFilePath(dataDir), settings, { mode: 0o600 });
  }
  return result;
}
