// At rest (issue 18): a bridge on an existing install's data dir leaves nothing world-readable.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectSlot, startBridge, tempDir } from '../helpers/bridge.js';

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? [full, ...walk(full)] : e.isFile() ? [full] : [];
  });
}

describe.runIf(process.platform !== 'win32')('data dir permissions', () => {
  it('an existing 0755/0644 install is fixed on start and new files are 0600', async () => {
    const dataDir = tempDir();
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'admin-token'), 'old-install-admin-token-0123456789\n', { mode: 0o644 });
    fs.mkdirSync(path.join(dataDir, 'slots', 'slot-1'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dataDir, 'slots', 'slot-1', 'Preferences'), '{}', { mode: 0o644 });
    const t = await startBridge({ dataDir });
    try {
      await connectSlot(t, 1);
      await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '15550100001', message: 'stored' }).expect(200);
    } finally {
      await t.stop();
    }
    const entries = [dataDir, ...walk(dataDir)];
    expect(entries.some((p) => p.endsWith('.db'))).toBe(true);
    const open = entries.filter((p) => (fs.statSync(p).mode & 0o077) !== 0).map((p) => `${path.relative(dataDir, p) || '.'} ${(fs.statSync(p).mode & 0o777).toString(8)}`);
    expect(open).toEqual([]);
  });
});
