// Snapshot make/restore on fake profiles with the local store: what is packed, the refusals,
// fallbacks, account checks, pruning, and that nothing good is ever lost.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { describe, expect, it } from 'vitest';
import { SnapshotError } from '../../bridge/snapshots/errors.js';
import { sealSnapshot } from '../../bridge/snapshots/format.js';
import { newSnapshotId } from '../../bridge/snapshots/ids.js';
import type { SnapshotMeta, SnapshotStore } from '../../bridge/snapshots/types.js';
import { tempDir } from '../helpers/bridge.js';
import { fakeProfile, IDB, LS, makeKit } from './kit.js';

const WID_A = '15550000001@c.us';
const WID_B = '15550000002@c.us';

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    expect(err).toBeInstanceOf(SnapshotError);
    return (err as SnapshotError).code;
  }
  return 'no error';
}

function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('snapshot service (local store)', () => {
  it('packs only the session folders (no LOCK, no cache) and restores them into a missing profile', async () => {
    const kit = makeKit();
    fakeProfile(kit.profile(1));
    kit.accounts.setAccount(1, WID_A);
    const meta = await kit.service.take(1, 'manual');
    expect(meta).toMatchObject({ slot: 1, wid: WID_A, reason: 'manual', formatVersion: 1 });
    expect((await kit.service.list(1)).map((m) => m.id)).toEqual([meta.id]);
    // Stored encrypted: the marker text is not in the file.
    const blob = fs.readFileSync(path.join(kit.dataDir, 'snapshots', 'slot-1', `${meta.id}.snap`));
    expect(blob.includes(Buffer.from('account-a'))).toBe(false);

    const before = fs.readFileSync(path.join(kit.profile(1), IDB, '000003.log'));
    fs.rmSync(kit.profile(1), { recursive: true });
    expect(await kit.service.prepareProfile(1)).toMatchObject({ snapshot: { id: meta.id }, skipped: [] });
    expect(files(kit.profile(1))).toEqual([`${IDB}/000003.log`, `${IDB}/CURRENT`, `${IDB}/marker`, `${LS}/000005.ldb`]);
    expect(fs.readFileSync(path.join(kit.profile(1), IDB, '000003.log')).equals(before)).toBe(true);
    // A usable profile is left alone.
    expect(await kit.service.prepareProfile(1)).toBeNull();
    expect(fs.readdirSync(path.dirname(kit.profile(1)))).toEqual(['session-slot-1']);
  });

  it('refuses an empty profile, one without IndexedDB, and a too small one; the good snapshot stays newest', async () => {
    const kit = makeKit();
    kit.accounts.setAccount(1, WID_A);
    fakeProfile(kit.profile(1));
    const good = await kit.service.take(1, 'manual');

    fs.rmSync(kit.profile(1), { recursive: true });
    fs.mkdirSync(kit.profile(1));
    expect(await codeOf(kit.service.take(1, 'interval'))).toBe('REFUSED');
    fakeProfile(kit.profile(1), { withIdb: false });
    await expect(kit.service.take(1, 'interval')).rejects.toThrow(/no Default\/IndexedDB data/);
    fs.rmSync(kit.profile(1), { recursive: true });
    fakeProfile(kit.profile(1), { idbBytes: 10 });
    fs.rmSync(path.join(kit.profile(1), LS), { recursive: true });
    await expect(kit.service.take(1, 'interval')).rejects.toThrow(/hold only \d+ bytes/);

    expect((await kit.service.list(1)).map((m) => m.id)).toEqual([good.id]);
    expect(kit.service.health(1)).toMatchObject({ newest: { id: good.id }, lastError: expect.stringMatching(/refused/) });
  });

  it('refuses to snapshot a slot with no known account', async () => {
    const kit = makeKit();
    fakeProfile(kit.profile(1));
    expect(await codeOf(kit.service.take(1, 'manual'))).toBe('NOT_READY');
  });

  it('keeps the last 3 per slot', async () => {
    const kit = makeKit();
    kit.accounts.setAccount(1, WID_A);
    fakeProfile(kit.profile(1));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await kit.service.take(1, 'interval')).id);
    expect((await kit.service.list(1)).map((m) => m.id)).toEqual(ids.slice(2).reverse());
    expect(fs.readdirSync(path.join(kit.dataDir, 'snapshots', 'slot-1'))).toHaveLength(6);
  });

  it('a corrupted newest snapshot is refused and the previous one is used', async () => {
    const kit = makeKit();
    kit.accounts.setAccount(1, WID_A);
    fakeProfile(kit.profile(1), { marker: 'older' });
    const older = await kit.service.take(1, 'interval');
    fs.writeFileSync(path.join(kit.profile(1), IDB, 'marker'), 'newer');
    const newer = await kit.service.take(1, 'interval');
    const file = path.join(kit.dataDir, 'snapshots', 'slot-1', `${newer.id}.snap`);
    const damaged = fs.readFileSync(file);
    damaged[damaged.length - 20]! ^= 0xff;
    fs.writeFileSync(file, damaged);

    fs.rmSync(kit.profile(1), { recursive: true });
    const result = await kit.service.restore(1);
    expect(result.snapshot.id).toBe(older.id);
    expect(result.skipped).toEqual([{ id: newer.id, reason: expect.stringMatching(/authentication/) }]);
    expect(fs.readFileSync(path.join(kit.profile(1), IDB, 'marker'), 'utf8')).toBe('older');
    // Asked for by id, the damaged one is refused outright.
    expect(await codeOf(kit.service.restore(1, { snapshotId: newer.id }))).toBe('CORRUPT');
  });

  it('wrong key: clear error, the profile and the snapshots untouched', async () => {
    const kit = makeKit();
    kit.accounts.setAccount(1, WID_A);
    fakeProfile(kit.profile(1));
    const meta = await kit.service.take(1, 'manual');
    fs.writeFileSync(path.join(kit.profile(1), IDB, 'marker'), 'current');
    const other = makeKit({ dataDir: kit.dataDir, key: randomBytes(32) });
    await expect(other.service.restore(1)).rejects.toThrow(/another session key/);
    expect(await codeOf(other.service.restore(1))).toBe('WRONG_KEY');
    expect(fs.readFileSync(path.join(kit.profile(1), IDB, 'marker'), 'utf8')).toBe('current');
    expect((await kit.service.list(1)).map((m) => m.id)).toEqual([meta.id]);
    expect(other.service.health(1).lastError).toMatch(/^restore failed: .*another session key/);
  });

  it('a snapshot of another account is refused unless forced', async () => {
    const kit = makeKit();
    kit.accounts.setAccount(1, WID_B);
    fakeProfile(kit.profile(1), { marker: 'account-b' });
    await kit.service.take(1, 'manual');
    kit.accounts.setAccount(1, WID_A);
    fs.rmSync(kit.profile(1), { recursive: true });
    await expect(kit.service.prepareProfile(1)).rejects.toThrow(/is of 15550000002@c\.us, but slot 1 last ran 15550000001@c\.us/);
    expect(fs.existsSync(kit.profile(1))).toBe(false);
    await kit.service.restore(1, { force: true });
    expect(fs.readFileSync(path.join(kit.profile(1), IDB, 'marker'), 'utf8')).toBe('account-b');
    expect(kit.accounts.wid(1)).toBe(WID_B);
  });

  it('a snapshot stored under another slot is refused', async () => {
    const kit = makeKit();
    const { blob, header } = sealSnapshot(kit.key, Buffer.from('x'), { slot: 3, wid: WID_A, createdAt: Date.now(), reason: 'manual' });
    const meta: SnapshotMeta = { id: newSnapshotId(Date.now()), slot: 1, wid: WID_A, createdAt: Date.now(), reason: 'manual', bytes: blob.length, sha256: header.sha256, formatVersion: 1 };
    await kit.store.put(meta, blob);
    await expect(kit.service.restore(1)).rejects.toThrow(/belongs to slot 3/);
  });

  it('a hostile archive (path climbing out, symlink) is refused and writes nothing outside', async () => {
    const kit = makeKit();
    const src = tempDir('wab-hostile-');
    fs.mkdirSync(path.join(src, IDB), { recursive: true });
    fs.writeFileSync(path.join(src, IDB, 'CURRENT'), 'x');
    fs.symlinkSync('/etc/passwd', path.join(src, IDB, 'link'));
    const chunks: Buffer[] = [];
    for await (const c of tar.c({ gzip: true, cwd: src, portable: true, preservePaths: true }, ['Default', '../' + path.basename(src) + '/Default/IndexedDB']) as AsyncIterable<Buffer>) chunks.push(c);
    const archive = Buffer.concat(chunks);
    const { blob, header } = sealSnapshot(kit.key, archive, { slot: 1, wid: WID_A, createdAt: Date.now(), reason: 'manual' });
    await kit.store.put({ id: newSnapshotId(Date.now()), slot: 1, wid: WID_A, createdAt: Date.now(), reason: 'manual', bytes: blob.length, sha256: header.sha256, formatVersion: 1 }, blob);
    await expect(kit.service.restore(1)).rejects.toThrow(/outside the session folders/);
    expect(fs.existsSync(kit.profile(1))).toBe(false);
    expect(fs.readdirSync(path.dirname(kit.profile(1)))).toEqual([]);
  });

  it('store down: take says STORE_UNAVAILABLE and keeps what was stored; restore says so too', async () => {
    const kit = makeKit();
    let down = false;
    const flaky: SnapshotStore = {
      kind: 'local',
      where: 'test',
      put: (m, b) => (down ? Promise.reject(new Error('ECONNREFUSED')) : kit.store.put(m, b)),
      get: (s, id) => (down ? Promise.reject(new Error('ECONNREFUSED')) : kit.store.get(s, id)),
      list: (s) => (down ? Promise.reject(new Error('ECONNREFUSED')) : kit.store.list(s)),
      delete: (s, id) => kit.store.delete(s, id),
      close: async () => undefined,
    };
    const flakyKit = makeKit({ dataDir: kit.dataDir, key: kit.key, store: flaky });
    flakyKit.accounts.setAccount(1, WID_A);
    fakeProfile(kit.profile(1));
    const good = await flakyKit.service.take(1, 'manual');
    down = true;
    expect(await codeOf(flakyKit.service.take(1, 'interval'))).toBe('STORE_UNAVAILABLE');
    expect(flakyKit.service.storeError).toMatch(/ECONNREFUSED/);
    fs.rmSync(kit.profile(1), { recursive: true });
    await expect(flakyKit.service.prepareProfile(1)).rejects.toThrow(/local store: list failed: ECONNREFUSED/);
    down = false;
    expect((await flakyKit.service.list(1)).map((m) => m.id)).toEqual([good.id]);
    expect(flakyKit.service.storeError).toBeNull();
  });

  it('after a logout the snapshots are deleted and never restored', async () => {
    const kit = makeKit();
    kit.accounts.setAccount(1, WID_A);
    fakeProfile(kit.profile(1));
    await kit.service.take(1, 'manual');
    await kit.service.forget(1);
    expect(await kit.service.list(1)).toEqual([]);
    fs.rmSync(kit.profile(1), { recursive: true });
    expect(await kit.service.prepareProfile(1)).toBeNull();
  });
});
