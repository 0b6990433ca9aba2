// Profile-lock recovery before a launch. Chromium refuses a profile whose `SingletonLock`
// (a symlink to `<host>-<pid>`) names another host, and a stale lock can name a pid that is
// alive again as some other process. So: ours and alive → kill its tree; dead or from another
// host → remove the Singleton* files; alive and not ours → leave it and fail clearly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandOf, isAlive, killTree, listProcesses, userDataDirOf, type ProcessEntry } from './processes.js';

const SINGLETON_FILES = ['SingletonLock', 'SingletonSocket', 'SingletonCookie'];

export type LockRecovery =
  | { action: 'none' }
  | { action: 'removed-stale'; host: string; pid: number; why: 'dead' | 'other-host' | 'unreadable' }
  | { action: 'killed-owner'; pid: number; killed: number[] };

export class ProfileLockedError extends Error {
  constructor(
    readonly profileDir: string,
    readonly pid: number,
    readonly command: string,
  ) {
    super(
      `the browser profile ${profileDir} is locked by process ${pid} (${command.slice(0, 120) || 'unknown'}), ` +
        'which is not a browser of this bridge; close that program, or delete the profile lock if you are sure it is stale',
    );
    this.name = 'ProfileLockedError';
  }
}

/** `host-pid` → parts; the host may itself contain dashes. */
export function parseLockTarget(target: string): { host: string; pid: number } | null {
  const cut = target.lastIndexOf('-');
  if (cut <= 0) return null;
  const pid = Number(target.slice(cut + 1));
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { host: target.slice(0, cut), pid };
}

/** Does this process run Chromium on exactly this profile? */
export function runsProfile(entry: ProcessEntry, profileDir: string): boolean {
  const dir = userDataDirOf(entry);
  return dir !== null && samePath(dir, profileDir);
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string) => {
    const r = path.resolve(p);
    return process.platform === 'win32' ? r.toLowerCase() : r;
  };
  return norm(a) === norm(b);
}

function removeSingletons(profileDir: string) {
  for (const name of SINGLETON_FILES) {
    fs.rmSync(path.join(profileDir, name), { force: true });
  }
}

function readLockTarget(profileDir: string): string | null {
  try {
    return fs.readlinkSync(path.join(profileDir, 'SingletonLock'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EINVAL') return ''; // a plain file where a symlink belongs: treat as unreadable
    throw err;
  }
}

/**
 * Make `profileDir` launchable. Throws ProfileLockedError when a live process that is not ours
 * holds it. Safe to call when there is no lock (returns `{action:'none'}`).
 */
export async function recoverProfileLock(profileDir: string, opts: { hostname?: string } = {}): Promise<LockRecovery> {
  const dir = path.resolve(profileDir);
  if (process.platform === 'win32') return recoverWindowsLock(dir);
  const target = readLockTarget(dir);
  if (target === null) return { action: 'none' };
  const parsed = parseLockTarget(target);
  if (!parsed) {
    removeSingletons(dir);
    return { action: 'removed-stale', host: '', pid: 0, why: 'unreadable' };
  }
  const host = opts.hostname ?? os.hostname();
  if (parsed.host !== host) {
    removeSingletons(dir);
    return { action: 'removed-stale', ...parsed, why: 'other-host' };
  }
  const owner = await commandOf(parsed.pid);
  if (!owner || !isAlive(parsed.pid)) {
    removeSingletons(dir);
    return { action: 'removed-stale', ...parsed, why: 'dead' };
  }
  if (!runsProfile(owner, dir)) throw new ProfileLockedError(dir, parsed.pid, owner.command);
  const killed = await killTree(parsed.pid);
  removeSingletons(dir); // a SIGKILLed Chromium leaves them behind
  return { action: 'killed-owner', pid: parsed.pid, killed };
}

/**
 * Windows keeps `lockfile` open while Chromium runs: kill our own holder if there is one, then
 * the file deletes; if it still cannot be deleted, someone else holds it.
 */
async function recoverWindowsLock(dir: string): Promise<LockRecovery> {
  const lockfile = path.join(dir, 'lockfile');
  if (!fs.existsSync(lockfile)) return { action: 'none' };
  const holders = (await listProcesses()).filter((p) => runsProfile(p, dir));
  const killed: number[] = [];
  for (const h of holders) killed.push(...(await killTree(h.pid)));
  try {
    fs.rmSync(lockfile, { force: true });
  } catch {
    throw new ProfileLockedError(dir, 0, 'another program holds its lockfile');
  }
  if (holders[0]) return { action: 'killed-owner', pid: holders[0].pid, killed };
  return { action: 'removed-stale', host: os.hostname(), pid: 0, why: 'dead' };
}
