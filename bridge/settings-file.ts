// `<dataDir>/config.json`: the settings the admin app saves (applied at the next start). The one
// reader and writer of that file, for the config loader, the Settings routes and the desktop shell.
import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from './files.js';

export const SETTINGS_FILE = 'config.json';

export class SettingsFileError extends Error {}

export function settingsFilePath(dataDir: string): string {
  return path.join(dataDir, SETTINGS_FILE);
}

/** The saved settings, or null when there is no file. Throws SettingsFileError when it is unreadable. */
export function readSettingsFile(dataDir: string): Record<string, unknown> | null {
  const file = settingsFilePath(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    // No file, or no data dir yet (start-up then names the data dir problem itself).
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new SettingsFileError(`${file}: unreadable (${(err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SettingsFileError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  throw new SettingsFileError(`${file}: must hold a JSON object`);
}

/** The saved settings, {} when missing or unreadable (start-up reports a broken file itself). */
export function readSettingsOrEmpty(dataDir: string): Record<string, unknown> {
  try {
    return readSettingsFile(dataDir) ?? {};
  } catch {
    return {};
  }
}

/** Owner-only (it may hold a database password). */
export function writeSettingsFile(dataDir: string, values: Record<string, unknown>): void {
  writeJsonAtomic(settingsFilePath(dataDir), values, { mode: 0o600 });
}
