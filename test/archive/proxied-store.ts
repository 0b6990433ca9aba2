// A MySQL archive store for fault tests: a fresh database reached through a TcpProxy (so a test
// can cut or pause the server), a spool file of its own, everything removed after each test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { RowDataPacket } from 'mysql2/promise';
import { afterEach } from 'vitest';
import type { ArchivedMessage } from '../../bridge/domain/index.js';
import { MysqlArchiveStore, type MysqlStoreOptions } from '../../bridge/archive/mysql.js';
import { createTestDatabase, TcpProxy } from './mysql-kit.js';

export type StoreOptions = Omit<MysqlStoreOptions, 'url' | 'logger' | 'spoolFile'>;

/** Registers the clean-up hook of the calling test file; `label` names its messages' bodies. */
export function proxiedStores(label: string) {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
  });

  /** Message `i` of one chat on slot 1; its body is "<label> <i>". */
  const msg = (i: number): ArchivedMessage => ({
    id: `false_1555@c.us_${i}`, chatId: '1555@c.us', body: `${label} ${i}`, fromMe: 0, timestamp: 1_700_000_000 + i, type: 'chat', hasMedia: 0, senderName: 'A', ack: 1,
  });

  async function start(opts: StoreOptions = {}) {
    const db = await createTestDatabase();
    cleanup.push(() => db.drop());
    const proxy = new TcpProxy();
    await proxy.restore();
    cleanup.push(() => proxy.cut());
    const spool = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `wa-${label}-`)), 'spool.jsonl');
    const store = new MysqlArchiveStore({ url: db.url(proxy.port), logger: pino({ level: 'silent' }), spoolFile: spool, batchWindowMs: 20, retryMs: 200, ...opts });
    await store.init();
    cleanup.push(() => store.close());
    /** Rows in MySQL, read past the proxy. */
    const count = async () => Number((await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM messages'))[0]!.n);
    return { db, proxy, store, spool, count };
  }

  return { msg, start };
}
