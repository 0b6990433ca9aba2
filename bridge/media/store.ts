// The media store: bytes on disk under <dataDir>/media, named by their sha256 (one copy for
// repeats), with a size cap that evicts the oldest files first. Metadata lives in the archive;
// evicting a file never touches it (the bytes can be fetched again while WhatsApp serves them).
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';

const SHA256 = /^[0-9a-f]{64}$/;

interface StoredFile {
  size: number;
  /** When it was stored (ms); eviction order. */
  storedAt: number;
}

export interface PutResult {
  sha256: string;
  size: number;
}

export class MediaStore {
  private readonly files = new Map<string, StoredFile>();
  private total = 0;
  private tmpSeq = 0;

  constructor(
    readonly dir: string,
    private readonly capBytes: number,
    private readonly logger: Logger,
  ) {}

  /** Index what an earlier run stored and drop half-written temp files. */
  init(): void {
    fs.mkdirSync(path.join(this.dir, 'tmp'), { recursive: true });
    for (const name of fs.readdirSync(path.join(this.dir, 'tmp'))) fs.rmSync(path.join(this.dir, 'tmp', name), { force: true });
    for (const shard of fs.readdirSync(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of fs.readdirSync(path.join(this.dir, shard))) {
        if (!SHA256.test(name)) continue;
        const stat = fs.statSync(path.join(this.dir, shard, name));
        this.files.set(name, { size: stat.size, storedAt: stat.mtimeMs });
        this.total += stat.size;
      }
    }
    this.evict(null);
  }

  get totalBytes(): number {
    return this.total;
  }

  get fileCount(): number {
    return this.files.size;
  }

  filePath(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error('not a sha256');
    return path.join(this.dir, sha256.slice(0, 2), sha256);
  }

  has(sha256: string | null): sha256 is string {
    return sha256 !== null && this.files.has(sha256);
  }

  /** Store bytes (a repeat is stored once), then trim the store to its cap, never the new file. */
  async put(bytes: Buffer): Promise<PutResult> {
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    if (!this.files.has(sha256)) {
      const target = this.filePath(sha256);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      // Write then rename: a crash never leaves a truncated file under a valid name.
      const tmp = path.join(this.dir, 'tmp', `${process.pid}-${++this.tmpSeq}`);
      await fsp.writeFile(tmp, bytes);
      await fsp.rename(tmp, target);
      if (!this.files.has(sha256)) {
        this.files.set(sha256, { size: bytes.length, storedAt: Date.now() });
        this.total += bytes.length;
      }
      this.evict(sha256);
    }
    return { sha256, size: bytes.length };
  }

  /** Remove the oldest files until the store fits its cap. */
  private evict(keep: string | null): void {
    if (this.total <= this.capBytes) return;
    const oldestFirst = [...this.files.entries()].sort((a, b) => a[1].storedAt - b[1].storedAt);
    for (const [sha, file] of oldestFirst) {
      if (this.total <= this.capBytes) break;
      if (sha === keep) continue;
      // A reader streaming this file keeps its open handle; unlinking is safe.
      fs.rmSync(this.filePath(sha), { force: true });
      this.files.delete(sha);
      this.total -= file.size;
      this.logger.info({ sha256: sha, size: file.size }, 'media: evicted to stay under the size cap');
    }
  }

  /** The file vanished under us (deleted by hand): forget it so it is fetched again. */
  forget(sha256: string): void {
    const file = this.files.get(sha256);
    if (!file) return;
    this.files.delete(sha256);
    this.total -= file.size;
  }
}
