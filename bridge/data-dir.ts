// The data dir holds the WhatsApp sessions, the archive, tokens and the outbox: only the user
// running the bridge may read it. On POSIX the dir tree is 0700 and every file 0600 (existing
// installs are fixed on start) and the process umask makes new files so; on Windows the dir gets
// an ACL granting only the current user, inherited by everything below it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** A clean, one-line start-up failure (main prints it without a stack). */
export class DataDirError extends Error {}

/** icacls arguments: drop inherited entries, grant the user full control, for the whole tree. */
export function icaclsArgs(dir: string, user: string): string[] {
  return [dir, '/inheritance:r', '/grant:r', `${user}:(OI)(CI)F`, '/T', '/C', '/Q'];
}

/** DOMAIN\\user of the Windows account running the bridge. */
export function windowsUser(env: NodeJS.ProcessEnv = process.env): string {
  const name = env.USERNAME || os.userInfo().username;
  return env.USERDOMAIN ? `${env.USERDOMAIN}\\${name}` : name;
}

/** chmod the tree: directories 0700, files 0600; symlinks are left alone (never followed). */
function tighten(dir: string): void {
  fs.chmodSync(dir, DIR_MODE);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    try {
      if (entry.isDirectory()) tighten(full);
      else if (entry.isFile() && (fs.statSync(full).mode & 0o777) !== FILE_MODE) fs.chmodSync(full, FILE_MODE);
    } catch (err) {
      // A file vanishing mid-walk (Chromium's lock files) is not a reason to stop.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

export interface SecureOptions {
  platform?: NodeJS.Platform;
  /** Runs a program (icacls on Windows); replaceable in tests. */
  run?: (file: string, args: string[]) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Create the data dir if needed and restrict it to the current user. Returns a warning when the
 * restriction could not be applied (the bridge still starts; the owner is told in the log).
 */
export function secureDataDir(dir: string, opts: SecureOptions = {}): string | null {
  const platform = opts.platform ?? process.platform;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new DataDirError(`data dir ${dir} is not writable (${code}); set WA_BRIDGE_DATA_DIR to a folder you own`);
  }
  if (platform === 'win32') {
    const run = opts.run ?? ((file, args) => void execFileSync(file, args, { stdio: 'ignore', windowsHide: true }));
    try {
      run('icacls', icaclsArgs(dir, windowsUser(opts.env)));
    } catch (err) {
      return `could not restrict ${dir} to the current user with icacls: ${(err as Error).message.split('\n')[0]}`;
    }
    return null;
  }
  // Everything the bridge (and its Chromiums) creates from now on is private too.
  process.umask(0o077);
  try {
    tighten(dir);
  } catch (err) {
    return `could not make everything in ${dir} private (chmod): ${(err as Error).message}`;
  }
  return null;
}
