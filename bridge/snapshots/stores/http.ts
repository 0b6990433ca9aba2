// A session-store service (bridge/session-store, seed 003's shape) as snapshot store. Each
// snapshot is `<id>.part-<k>` files (base64, each under the service's body limit; a 413 halves
// the part size and starts over) and then `<id>.meta`, written last, so a listed snapshot is complete.
import { isSnapshotId, metaSchema, newestFirst } from '../ids.js';
import type { SnapshotMeta, SnapshotStore } from '../types.js';

const FIRST_PART_BYTES = 3 * 1024 * 1024; // 4 MiB of base64: under the service's default 5 MB
const MIN_PART_BYTES = 16 * 1024;
const TIMEOUT_MS = 30_000;

class StoreHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Manifest {
  meta: SnapshotMeta;
  parts: number;
}

export class HttpSnapshotStore implements SnapshotStore {
  readonly kind = 'http' as const;
  readonly #base: string;

  constructor(
    baseUrl: string,
    private readonly token: string,
  ) {
    this.#base = baseUrl.replace(/\/+$/, '');
  }

  get where(): string {
    // The URL without any credentials it might carry.
    const url = new URL(this.#base);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  }

  #group(slot: number): string {
    if (!Number.isInteger(slot) || slot < 1) throw new Error(`invalid slot ${slot}`);
    return `wa-bridge-slot-${slot}`;
  }

  async #call(method: string, key: string, body?: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}/${key}`, {
        method,
        headers: { apikey: this.token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify({ data: body }) : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new Error(`session store ${this.where} unreachable (${cause ?? (err as Error).message})`);
    }
    const text = await res.text();
    let parsed: { data?: unknown; keys?: unknown; error?: { message?: string } } = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // An answer that is not JSON: the status line says enough.
    }
    if (!res.ok) throw new StoreHttpError(res.status, `session store answered ${res.status}: ${parsed.error?.message ?? text.slice(0, 200)}`);
    return parsed;
  }

  async #fetch(group: string, name: string): Promise<string | null> {
    try {
      const body = (await this.#call('GET', `${group}/${name}`)) as { data?: unknown };
      if (typeof body.data !== 'string') throw new Error(`session store sent no data for ${group}/${name}`);
      return body.data;
    } catch (err) {
      if (err instanceof StoreHttpError && err.status === 404) return null;
      throw err;
    }
  }

  async put(meta: SnapshotMeta, blob: Buffer): Promise<void> {
    if (!isSnapshotId(meta.id)) throw new Error(`invalid snapshot id ${JSON.stringify(meta.id)}`);
    const group = this.#group(meta.slot);
    for (let partBytes = FIRST_PART_BYTES; ; partBytes = Math.floor(partBytes / 2)) {
      try {
        const parts = Math.max(1, Math.ceil(blob.length / partBytes));
        for (let k = 0; k < parts; k++) {
          await this.#call('POST', `${group}/${meta.id}.part-${k}`, blob.subarray(k * partBytes, (k + 1) * partBytes).toString('base64'));
        }
        const manifest: Manifest = { meta, parts };
        await this.#call('POST', `${group}/${meta.id}.meta`, JSON.stringify(manifest));
        return;
      } catch (err) {
        if (!(err instanceof StoreHttpError && err.status === 413) || partBytes / 2 < MIN_PART_BYTES) throw err;
      }
    }
  }

  async #manifest(slot: number, id: string): Promise<Manifest | null> {
    const text = await this.#fetch(this.#group(slot), `${id}.meta`);
    if (text === null) return null;
    const parsed = JSON.parse(text) as { meta?: unknown; parts?: unknown };
    const meta = metaSchema.parse(parsed.meta);
    if (meta.slot !== slot || meta.id !== id || typeof parsed.parts !== 'number' || !Number.isInteger(parsed.parts) || parsed.parts < 1) {
      throw new Error(`session store holds a malformed manifest for ${id}`);
    }
    return { meta, parts: parsed.parts };
  }

  async get(slot: number, id: string): Promise<Buffer | null> {
    if (!isSnapshotId(id)) return null;
    const manifest = await this.#manifest(slot, id);
    if (!manifest) return null;
    const parts: Buffer[] = [];
    for (let k = 0; k < manifest.parts; k++) {
      const data = await this.#fetch(this.#group(slot), `${id}.part-${k}`);
      if (data === null) throw new Error(`session store lost part ${k} of snapshot ${id}`);
      parts.push(Buffer.from(data, 'base64'));
    }
    return Buffer.concat(parts);
  }

  async #names(slot: number): Promise<string[]> {
    const body = (await this.#call('GET', this.#group(slot))) as { keys?: { name?: unknown }[] };
    return (body.keys ?? []).map((k) => k.name).filter((n): n is string => typeof n === 'string');
  }

  async list(slot: number): Promise<SnapshotMeta[]> {
    const out: SnapshotMeta[] = [];
    for (const name of await this.#names(slot)) {
      const id = name.endsWith('.meta') ? name.slice(0, -5) : null;
      if (!id || !isSnapshotId(id)) continue;
      try {
        const manifest = await this.#manifest(slot, id);
        if (manifest) out.push(manifest.meta);
      } catch (err) {
        if (!(err instanceof Error) || /unreachable|answered 5/.test(err.message)) throw err;
        // A malformed manifest hides its snapshot; restores never trust it anyway.
      }
    }
    return newestFirst(out);
  }

  async delete(slot: number, id: string): Promise<void> {
    if (!isSnapshotId(id)) return;
    const group = this.#group(slot);
    const names = await this.#names(slot);
    const remove = async (name: string) => {
      await this.#call('DELETE', `${group}/${name}`).catch((err: unknown) => {
        if (!(err instanceof StoreHttpError && err.status === 404)) throw err;
      });
    };
    if (names.includes(`${id}.meta`)) await remove(`${id}.meta`);
    for (const name of names.filter((n) => n.startsWith(`${id}.part-`))) await remove(name);
  }

  async close(): Promise<void> {}
}
