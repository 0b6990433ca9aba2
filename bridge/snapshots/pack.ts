// A slot's profile → one gzipped tar of the session-bearing folders (Default/IndexedDB and
// Default/Local Storage), and back. A live profile is first copied to a staging folder: packing
// the live one stalled in measurements (LevelDB renames and deletes files while it runs).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { SnapshotError } from './errors.js';

/** Relative to the profile folder; what whatsapp-web.js's own RemoteAuth keeps as well. */
export const SESSION_FOLDERS = ['Default/IndexedDB', 'Default/Local Storage'] as const;
const INDEXED_DB = SESSION_FOLDERS[0];
/** Chromium's lock files: meaningless in a copy, and a stale one blocks LevelDB. */
const SKIP_FILES = new Set(['LOCK', 'SingletonLock', 'SingletonCookie', 'SingletonSocket']);

export interface PackLimits {
  /** Refuse a profile whose session folders hold fewer bytes than this. */
  minProfileBytes: number;
}

export const DEFAULT_LIMITS: PackLimits = { minProfileBytes: 1024 };

interface CopyStats {
  files: number;
  bytes: number;
}

/** Copy a folder tree file by file; files that vanish mid-copy (LevelDB compaction) are skipped. */
function copyTree(from: string, to: string, stats: CopyStats): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(from, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  fs.mkdirSync(to, { recursive: true });
  for (const entry of entries) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target, stats);
    else if (entry.isFile() && !SKIP_FILES.has(entry.name)) {
      try {
        fs.copyFileSync(source, target);
        stats.files++;
        stats.bytes += fs.statSync(target).size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** A fresh folder next to `near` (same disk, so renames are atomic). */
export function scratchDir(near: string, label: string): string {
  const dir = `${near}.${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Stage the profile's session folders under `stagingRoot`, check them, and pack them.
 * Refuses (REFUSED) a profile that has no IndexedDB data or is too small to hold a session.
 */
export async function packProfile(profileDir: string, stagingRoot: string, limits: PackLimits = DEFAULT_LIMITS): Promise<Buffer> {
  fs.mkdirSync(stagingRoot, { recursive: true });
  const staging = scratchDir(path.join(stagingRoot, 'stage'), 'copy');
  try {
    const stats: CopyStats = { files: 0, bytes: 0 };
    for (const folder of SESSION_FOLDERS) copyTree(path.join(profileDir, folder), path.join(staging, folder), stats);
    const idb = path.join(staging, INDEXED_DB);
    if (!fs.existsSync(idb) || folderBytes(idb) === 0) {
      throw new SnapshotError('REFUSED', `refused to snapshot: the profile has no ${INDEXED_DB} data (not paired, or not a WhatsApp profile)`);
    }
    if (stats.bytes < limits.minProfileBytes) {
      throw new SnapshotError('REFUSED', `refused to snapshot: the session folders hold only ${stats.bytes} bytes (under ${limits.minProfileBytes})`);
    }
    const chunks: Buffer[] = [];
    const stream = tar.c({ gzip: true, cwd: staging, portable: true }, ['Default']);
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Only the session folders, only plain files and folders, never a path that climbs out. */
function allowedEntry(entryPath: string, type: string): boolean {
  if (type !== 'File' && type !== 'OldFile' && type !== 'Directory') return false;
  const clean = entryPath.replace(/\/+$/, '');
  if (clean.split('/').some((part) => part === '..' || part === '') || path.isAbsolute(clean) || clean.includes('\0')) return false;
  if (clean === 'Default') return type === 'Directory';
  return SESSION_FOLDERS.some((folder) => clean === folder || clean.startsWith(`${folder}/`));
}

/** Unpack an archive into an empty folder; throws CORRUPT if it is not a usable profile archive. */
export async function unpackArchive(archive: Buffer, into: string): Promise<void> {
  fs.mkdirSync(into, { recursive: true });
  const rejected: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const unpack = tar.x({
        cwd: into,
        strict: true,
        preservePaths: false,
        filter: (entryPath, entry) => {
          const type = 'type' in entry ? String(entry.type) : 'File';
          const ok = allowedEntry(entryPath, type);
          if (!ok) rejected.push(entryPath.slice(0, 200));
          return ok;
        },
      });
      unpack.on('error', reject);
      unpack.on('finish', () => resolve());
      unpack.end(archive);
    });
  } catch (err) {
    throw new SnapshotError('CORRUPT', `snapshot archive could not be unpacked: ${(err as Error).message}`, { cause: err });
  }
  if (rejected.length > 0) throw new SnapshotError('CORRUPT', `snapshot archive holds entries outside the session folders: ${rejected.slice(0, 3).join(', ')}`);
  if (!fs.existsSync(path.join(into, INDEXED_DB))) throw new SnapshotError('CORRUPT', `snapshot archive has no ${INDEXED_DB} folder`);
}

/**
 * Put an unpacked profile in place of `profileDir`: the old one is moved aside first and only
 * removed once the new one is in place, so a crash mid-way leaves one of the two.
 */
export function swapProfile(unpacked: string, profileDir: string): void {
  fs.mkdirSync(path.dirname(profileDir), { recursive: true });
  let aside: string | null = null;
  if (fs.existsSync(profileDir)) {
    aside = `${profileDir}.replaced-${process.pid}-${randomBytes(4).toString('hex')}`;
    fs.renameSync(profileDir, aside);
  }
  try {
    fs.renameSync(unpacked, profileDir);
  } catch (err) {
    if (aside) fs.renameSync(aside, profileDir);
    throw err;
  }
  if (aside) fs.rmSync(aside, { recursive: true, force: true, maxRetries: 3 });
}

/** Whether a profile folder looks like it still carries a session. */
export function profileUsable(profileDir: string): boolean {
  const idb = path.join(profileDir, INDEXED_DB);
  try {
    return fs.readdirSync(idb).length > 0;
  } catch {
    return false;
  }
}
