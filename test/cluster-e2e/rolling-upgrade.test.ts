// Issue 13: "a rolling upgrade: one node runs a new migration while two keep answering GET
// /api/slots and sends without an error". Three bridge processes (demo engine) share one MariaDB
// database. Nodes A and B run this checkout and serve slots 1 and 2; node C is a release one schema
// step newer (test/cluster/newer-release.ts: this code plus one expand migration whose table copy
// locks `messages`). While C upgrades the archive under the schema lock, A and B are polled
// without pause — GET /api/slots and a send on each slot (one local, one forwarded to the other
// node): not one answer may be other than 2xx, and what they sent meanwhile is archived after.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { latestVersion } from '../../bridge/archive/migrations.js';
import { MYSQL_MIGRATIONS } from '../../bridge/archive/mysql-schema.js';
import { createTestDatabase } from '../archive/mysql-kit.js';
import { processCluster, slotOn, TOKEN, type ProcessNode } from '../cluster/process-kit.js';
import { waitFor } from '../helpers/bridge.js';
import { ROOT } from '../helpers/process.js';

const NEWER = latestVersion(MYSQL_MIGRATIONS) + 1;
const CUSTOMER = '15550015001';
const SEEDED = 20_000;

type ArchiveHealth = { ok: boolean; status?: string; migration?: { by: string; version: number | null } };
const archiveOf = async (n: ProcessNode): Promise<ArchiveHealth | null> => {
  try {
    const res = await fetch(`${n.proc.url}/api/health`, { headers: { apikey: TOKEN }, signal: AbortSignal.timeout(2000) });
    return ((await res.json()) as { archive: ArchiveHealth }).archive;
  } catch {
    return null;
  }
};

describe('rolling upgrade (three bridge processes, one runs a newer migration)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let cluster: ReturnType<typeof processCluster>;
  let a: ProcessNode;
  let b: ProcessNode;

  beforeAll(async () => {
    db = await createTestDatabase();
    cluster = processCluster(db, randomBytes(32).toString('base64'));
    // The product's lease timings (TTL 10 s): nothing fails over here.
    const demo = { slots: 2, ttlMs: 10_000 };
    a = await cluster.start('node-a', { ...demo, env: { WA_BRIDGE_PREFERRED_SLOTS: '1' } });
    b = await cluster.start('node-b', { ...demo, env: { WA_BRIDGE_PREFERRED_SLOTS: '2' } });
  });

  afterAll(async () => {
    await cluster?.stop();
    await db?.drop();
  });

  it('A and B answer slots and sends with 2xx all through C’s migration; it runs once, on C', async () => {
    await a.proc.http.post('/api/connect').set('apikey', TOKEN).send({ slot: 1 }).expect(200);
    await a.proc.http.post('/api/connect').set('apikey', TOKEN).send({ slot: 2 }).expect(200);
    await waitFor(async () => (await slotOn(a, 1))?.ready && (await slotOn(b, 2))?.ready, 30_000, 'slot 1 READY on A, slot 2 on B');
    for (const n of [a, b]) await waitFor(async () => (await archiveOf(n))?.ok, 60_000, `${n.name}'s archive ready`);
    // Rows for C's table copy to move (another slot's, so the checks below see only new sends).
    for (let from = 0; from < SEEDED; from += 2000) {
      const rows = Array.from({ length: 2000 }, (_, i) => [6, `seed-${from + i}`, `${CUSTOMER}@c.us`, 1_700_000_000 + from + i, `old ${from + i}`, '']);
      await db.query(`INSERT INTO messages (slot, id, chat_id, timestamp, body, search_text) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`, rows.flat());
    }

    // A and B are polled without pause from here to the end of C's migration.
    const failures: string[] = [];
    const answered: { node: string; at: number }[] = [];
    const sent = new Map<string, number>();
    let polling = true;
    const poll = async (n: ProcessNode) => {
      for (let i = 0; polling; i++) {
        const slot = 1 + (i % 2);
        for (const call of [
          () => n.proc.http.get('/api/slots').set('apikey', TOKEN),
          () => n.proc.http.post('/api/send').set('apikey', TOKEN).send({ slot, phone: CUSTOMER, message: `${n.name} send ${i}` }),
        ]) {
          const res = await call().catch((err: Error) => ({ status: 0, body: { error: err.message } }));
          if (res.status < 200 || res.status > 299) failures.push(`${n.name} ${res.status} ${JSON.stringify(res.body)}`);
          else answered.push({ node: n.name, at: Date.now() });
          const id = (res.body as { messageId?: string }).messageId;
          if (id) sent.set(id, slot);
        }
      }
    };
    const pollers = [poll(a), poll(b)];

    let migrating: { from: number; to: number } | null = null;
    let c: ProcessNode;
    try {
      c = await cluster.start('node-c', { slots: 2, ttlMs: 10_000, entry: path.join(ROOT, 'test/cluster/newer-release.ts') });
      const from = await waitFor(async () => {
        const h = await archiveOf(c);
        return h?.migration?.by === 'this bridge' && h.migration.version === NEWER ? Date.now() : null;
      }, 60_000, `C migrating to version ${NEWER}`);
      await waitFor(async () => (await archiveOf(c))?.ok, 120_000, 'C done');
      migrating = { from, to: Date.now() };
    } finally {
      polling = false;
      await Promise.all(pollers);
    }

    if (failures.length) for (const n of [a, b]) console.log(n.name, n.proc.output().split('\n').filter((l) => /lease|fence|archive/.test(l)).slice(-20).join('\n'));
    expect(failures).toEqual([]);
    // They really were asked during the migration (and answered), each many times.
    for (const n of [a, b]) expect(answered.filter((x) => x.node === n.name && x.at >= migrating.from && x.at <= migrating.to).length).toBeGreaterThan(5);
    // Applied once, as an expand step; the older nodes did not try it and still serve on the newer schema.
    const versions = await db.query<RowDataPacket[]>('SELECT version, min_code FROM schema_migrations WHERE version = ?', [NEWER]);
    expect(versions.map((r) => [Number(r.version), Number(r.min_code)])).toEqual([[NEWER, 1]]);
    expect(await db.query('SELECT * FROM schema_lock')).toEqual([]);
    const ranIt = (n: ProcessNode) => n.proc.output().split('\n').some((l) => l.includes('upgrading the MySQL schema') && l.includes(`"version":${NEWER}`));
    expect([a, b, c!].map(ranIt)).toEqual([false, false, true]);
    for (const n of [a, b]) {
      await waitFor(async () => (await archiveOf(n))?.ok, 30_000, `${n.name}'s archive ok on the newer schema`).catch(async (err) => {
        console.log(n.name, JSON.stringify(await archiveOf(n)), n.proc.output().split('\n').slice(-40).join('\n'));
        throw err;
      });
    }
    // Nothing sent meanwhile was lost: every message is in the archive once the lock is gone.
    expect(sent.size).toBeGreaterThan(10);
    await waitFor(async () => {
      const rows = await db.query<RowDataPacket[]>(`SELECT id FROM messages WHERE id IN (${[...sent.keys()].map(() => '?').join(', ')})`, [...sent.keys()]);
      return rows.length === sent.size;
    }, 60_000, 'every send made during the upgrade archived');
  });
});
