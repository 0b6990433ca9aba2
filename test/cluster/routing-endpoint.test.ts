// Cluster mode, node endpoints: when a node's certificate changes while it runs (renewal, or a
// new one), it publishes its new pins at once, so the other nodes' pairing answers and hello
// frames tell phones the right fingerprint for it.
import fs from 'node:fs';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { TLS_DIR } from '../../bridge/tls/certificate.js';
import { waitFor } from '../helpers/bridge.js';
import { ADMIN, twoNodes, type TestDb, type TestNode } from './routing-kit.js';

let db: TestDb;
let a: TestNode;
let b: TestNode;

// B checks its certificate every 200 ms (12 h in production).
twoNodes({}, (n) => ({ db, a, b } = n), {}, { tlsCheckMs: 200 });

const pinOf = async (node: TestNode) => (await node.http.get('/api/pairing').set('apikey', ADMIN).expect(200)).body as { fingerprint: string; nodes: { id: string; fingerprint: string }[] };

describe('node endpoints', () => {
  it('a new certificate on B reaches the endpoint table and A’s node list', async () => {
    const old = (await pinOf(b)).fingerprint;
    await waitFor(async () => (await pinOf(a)).nodes.find((n) => n.id === b.id)?.fingerprint === old, 20_000, 'A listing B with its first certificate');
    // Replace B's certificate on disk: its next check loads a fresh one.
    for (const file of ['cert.pem', 'key.pem']) fs.rmSync(path.join(b.dataDir, TLS_DIR, file));
    const fresh = await waitFor(async () => {
      const now = (await pinOf(b)).fingerprint;
      return now !== old ? now : null;
    }, 20_000, 'B serving a new certificate');
    await waitFor(async () => {
      const rows = await db.query<RowDataPacket[]>('SELECT fingerprint FROM shared_node_endpoints WHERE id = ?', [b.id]);
      return rows[0]?.fingerprint === fresh;
    }, 15_000, 'the endpoint row updated');
    // A reads the node list every 5 s.
    await waitFor(async () => (await pinOf(a)).nodes.find((n) => n.id === b.id)?.fingerprint === fresh, 20_000, 'A listing B with the new certificate');
  }, 90_000);
});
