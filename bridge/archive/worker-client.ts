// Starts a SQLite worker thread and turns its messages into promises. Under tsx or vitest the
// worker file is TypeScript, which Node 20 workers cannot load alone: the tiny bootstrap below
// registers tsx's loader inside the worker first. Compiled builds load the .js file directly.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SqliteDbOptions } from './sqlite-db.js';
import { ArchiveSchemaError } from './migrations.js';
import { unpackedWorkerUrl } from './asar-path.js';

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsxLoader) (await import(workerData.tsxLoader)).register();
  await import(workerData.entry);
})().catch((err) => setImmediate(() => { throw err; }));
`;

function tsxLoaderUrl(): string {
  // The ESM entry of tsx's API (its CommonJS twin fails to register inside a worker).
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
  name?: string;
}

export class SqliteWorkerClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly ready: Promise<void>;
  private dead: Error | null = null;

  constructor(file: string, options: SqliteDbOptions) {
    const here = import.meta.url;
    const isTs = here.endsWith('.ts');
    const entry = unpackedWorkerUrl(new URL(isTs ? './sqlite-worker.ts' : './sqlite-worker.js', here).href);
    this.worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry, tsxLoader: isTs ? tsxLoaderUrl() : null, file, options },
    });
    let settle!: { resolve: () => void; reject: (e: Error) => void };
    this.ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.ready.catch(() => undefined);
    this.worker.on('message', (reply: Reply) => {
      if (reply.id === 0) {
        if (reply.ok) settle.resolve();
        else settle.reject(toError(reply));
        return;
      }
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(toError(reply));
    });
    const fail = (err: Error) => {
      this.dead = err;
      settle.reject(err);
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`SQLite worker exited (code ${code})`)));
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  async call<T>(method: string, ...args: unknown[]): Promise<T> {
    await this.ready;
    if (this.dead) throw this.dead;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  async close(): Promise<void> {
    if (!this.dead) {
      await this.call('close').catch(() => undefined);
    }
    await this.worker.terminate();
  }
}

function toError(reply: Reply): Error {
  const err = reply.name === 'ArchiveSchemaError' ? new ArchiveSchemaError(reply.error ?? '') : new Error(reply.error ?? 'SQLite worker error');
  return err;
}
