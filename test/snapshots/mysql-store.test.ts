// The MySQL snapshot store on the local MariaDB: ≤ 1 MiB chunks, checked on read, a damaged
// newest snapshot falls back to the previous one, an unreachable server is STORE_UNAVAILABLE.
import fs from 'node:fs';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, MysqlSnapshotStore } from '../../bridge/snapshots/stores/mysql.js';
import { createTestDatabase } from '../archive/mysql-kit.js';
import { fakeProfile, IDB, makeKit } from './kit.js';

describe('mysql snapshot store', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: MysqlSnapshotStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new MysqlSnapshotStore(db.url());
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('stores in chunks of at most 1 MiB and restores; a damaged chunk falls back to the previous snapshot', async () => {
    const kit = makeKit({ store });
    kit.accounts.setAccount(1, '15550000001@c.us');
    fakeProfile(kit.profile(1), { idbBytes: 2_500_000, marker: 'older' });
    const older = await kit.service.take(1, 'interval');
    fs.writeFileSync(path.join(kit.profile(1), IDB, 'marker'), 'newer');
    const newer = await kit.service.take(1, 'interval');

    const rows = await db.query<RowDataPacket[]>('SELECT id, seq, LENGTH(data) AS n FROM session_snapshot_chunks WHERE id = ? ORDER BY seq', [newer.id]);
    expect(rows.length).toBe(Math.ceil(newer.bytes / CHUNK_BYTES));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((r) => Number(r.n) <= CHUNK_BYTES)).toBe(true);
    expect((await kit.service.list(1)).map((m) => m.id)).toEqual([newer.id, older.id]);

    fs.rmSync(kit.profile(1), { recursive: true });
    await kit.service.restore(1);
    expect(fs.readFileSync(path.join(kit.profile(1), IDB, 'marker'), 'utf8')).toBe('newer');

    await db.query('UPDATE session_snapshot_chunks SET data = REPEAT(\'x\', 100) WHERE id = ? AND seq = 1', [newer.id]);
    fs.rmSync(kit.profile(1), { recursive: true });
    const result = await kit.service.restore(1);
    expect(result.snapshot.id).toBe(older.id);
    expect(result.skipped).toEqual([{ id: newer.id, reason: expect.stringMatching(/incomplete or damaged/) }]);
    expect(fs.readFileSync(path.join(kit.profile(1), IDB, 'marker'), 'utf8')).toBe('older');

    await store.delete(1, newer.id);
    expect((await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM session_snapshot_chunks WHERE id = ?', [newer.id]))[0]!.n).toBe(0);
    expect((await kit.service.list(1)).map((m) => m.id)).toEqual([older.id]);
  });

  it('an unreachable server: STORE_UNAVAILABLE on take and on restore', async () => {
    const dead = new MysqlSnapshotStore('mysql://root@127.0.0.1:1/nothing');
    const kit = makeKit({ store: dead });
    kit.accounts.setAccount(1, '15550000001@c.us');
    fakeProfile(kit.profile(1));
    await expect(kit.service.take(1, 'interval')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    fs.rmSync(kit.profile(1), { recursive: true });
    await expect(kit.service.prepareProfile(1)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/^mysql store: list failed/) });
    expect(kit.service.storeError).toMatch(/mysql store/);
    await dead.close();
  });
});
