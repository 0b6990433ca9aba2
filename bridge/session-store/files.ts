// The service's disk: `<dir>/<group>/<name>`, names checked so nothing escapes its folder, writes
// atomic (temp file in the same folder, fsync, rename over the old one: the previous version
// stays readable until the new one is complete).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const PART = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** A key part: 1–128 of [A-Za-z0-9._-], not starting with a dot (no `..`, no hidden/temp files). */
export function validPart(part: string): boolean {
  return PART.test(part);
}

export interface Entry {
  name: string;
  bytes: number;
  updatedAt: number;
}

export class SessionFiles {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  #path(group: string, name?: string): string {
    if (!validPart(group) || (name !== undefined && !validPart(name))) throw new Error('invalid key');
    return name === undefined ? path.join(this.dir, group) : path.join(this.dir, group, name);
  }

  async write(group: string, name: string, data: string): Promise<void> {
    const target = this.#path(group, name);
    await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const tmp = path.join(path.dirname(target), `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    const handle = await fs.promises.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } catch (err) {
      await handle.close();
      await fs.promises.rm(tmp, { force: true });
      throw err;
    }
    await handle.close();
    await fs.promises.rename(tmp, target);
  }

  async read(group: string, name: string): Promise<string | null> {
    try {
      return await fs.promises.readFile(this.#path(group, name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async list(group: string): Promise<Entry[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.#path(group));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: Entry[] = [];
    for (const name of names.filter(validPart).sort()) {
      const stat = await fs.promises.stat(this.#path(group, name)).catch(() => null);
      if (stat?.isFile()) out.push({ name, bytes: stat.size, updatedAt: Math.floor(stat.mtimeMs) });
    }
    return out;
  }

  /** True when something was deleted. */
  async remove(group: string, name: string): Promise<boolean> {
    try {
      await fs.promises.unlink(this.#path(group, name));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}
