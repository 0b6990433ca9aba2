// The default store: `<data dir>/snapshots/slot-N/<id>.snap` plus `<id>.json` (its metadata).
// Each file is written to a temp name and renamed, and the metadata last, so a listed snapshot
// is always complete.
import fs from 'node:fs';
import path from 'node:path';
import { isSnapshotId, metaSchema, newestFirst } from '../ids.js';
import type { SnapshotMeta, SnapshotStore } from '../types.js';

function writeAtomic(file: string, data: Buffer | string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export class LocalSnapshotStore implements SnapshotStore {
  readonly kind = 'local' as const;

  constructor(readonly dir: string) {}

  get where(): string {
    return this.dir;
  }

  #slotDir(slot: number): string {
    if (!Number.isInteger(slot) || slot < 1) throw new Error(`invalid slot ${slot}`);
    return path.join(this.dir, `slot-${slot}`);
  }

  async put(meta: SnapshotMeta, blob: Buffer): Promise<void> {
    if (!isSnapshotId(meta.id)) throw new Error(`invalid snapshot id ${JSON.stringify(meta.id)}`);
    const dir = this.#slotDir(meta.slot);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeAtomic(path.join(dir, `${meta.id}.snap`), blob);
    writeAtomic(path.join(dir, `${meta.id}.json`), JSON.stringify(meta));
  }

  async get(slot: number, id: string): Promise<Buffer | null> {
    if (!isSnapshotId(id)) return null;
    try {
      return fs.readFileSync(path.join(this.#slotDir(slot), `${id}.snap`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async list(slot: number): Promise<SnapshotMeta[]> {
    const dir = this.#slotDir(slot);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: SnapshotMeta[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || !isSnapshotId(name.slice(0, -5))) continue;
      try {
        const parsed = metaSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
        if (parsed.success && parsed.data.slot === slot) out.push(parsed.data);
      } catch {
        // An unreadable metadata file hides its snapshot; the restore path never trusts it anyway.
      }
    }
    return newestFirst(out);
  }

  async delete(slot: number, id: string): Promise<void> {
    if (!isSnapshotId(id)) return;
    const dir = this.#slotDir(slot);
    // Metadata first: a half-deleted snapshot is then invisible rather than listed and missing.
    fs.rmSync(path.join(dir, `${id}.json`), { force: true });
    fs.rmSync(path.join(dir, `${id}.snap`), { force: true });
  }

  async close(): Promise<void> {}
}
