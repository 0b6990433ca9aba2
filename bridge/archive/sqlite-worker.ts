// Worker-thread entry: owns one SQLite connection and answers calls from the main thread
// (worker-client.ts). One worker writes; another reads, so searches never wait for a write batch.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteArchiveDb, type SqliteDbOptions } from './sqlite-db.js';

interface Call {
  id: number;
  method: 'apply' | 'listMessages' | 'chatList' | 'getMessage' | 'getMedia' | 'search' | 'pollTally' | 'likeScan' | 'close';
  args: unknown[];
}

const { file, options } = workerData as { file: string; options: SqliteDbOptions };
const port = parentPort!;

let db: SqliteArchiveDb | null = null;
try {
  db = new SqliteArchiveDb(file, options);
  port.postMessage({ id: 0, ok: true, value: 'ready' });
} catch (err) {
  // Report and let the thread end on its own (nothing else keeps it alive).
  port.postMessage({ id: 0, ok: false, error: (err as Error).message, name: (err as Error).name });
}

if (db) serve(db);

function serve(db: SqliteArchiveDb): void {
  port.on('message', (call: Call) => {
  try {
    if (call.method === 'close') {
      db.close();
      port.postMessage({ id: call.id, ok: true, value: null });
      port.close();
      return;
    }
    const fn = db[call.method] as (...a: unknown[]) => unknown;
    const value = fn.apply(db, call.args);
    port.postMessage({ id: call.id, ok: true, value });
  } catch (err) {
    port.postMessage({ id: call.id, ok: false, error: (err as Error).message, name: (err as Error).name });
  }
  });
}
