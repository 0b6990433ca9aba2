// Profile-lock recovery with real processes standing in for browsers (no Chromium needed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileLockedError, parseLockTarget, recoverProfileLock } from './lock.js';
import { isAlive } from './processes.js';
import { deadPid, killStarted, spawnFakeBrowser } from './testing.js';

let tmp: string;
let profile: string;

function lockTo(target: string) {
  fs.symlinkSync(target, path.join(profile, 'SingletonLock'));
  fs.symlinkSync('/tmp/org.chromium.Chromium.gone/SingletonSocket', path.join(profile, 'SingletonSocket'));
  fs.symlinkSync('123456789', path.join(profile, 'SingletonCookie'));
}

const singletons = () => fs.readdirSync(profile).filter((f) => f.startsWith('Singleton'));

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wab-lock-'));
  profile = path.join(tmp, 'sessions', 'session-slot-1');
  fs.mkdirSync(profile, { recursive: true });
  fs.writeFileSync(path.join(profile, 'Local State'), '{}');
});

afterEach(async () => {
  await killStarted();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('parseLockTarget', () => {
  it('splits at the last dash, so hosts with dashes survive', () => {
    expect(parseLockTarget('my-desk-top-4242')).toEqual({ host: 'my-desk-top', pid: 4242 });
    expect(parseLockTarget('nodash')).toBeNull();
    expect(parseLockTarget('host-notapid')).toBeNull();
  });
});

describe('recoverProfileLock', () => {
  it('does nothing when the profile has no lock', async () => {
    expect(await recoverProfileLock(profile)).toEqual({ action: 'none' });
    expect(fs.existsSync(path.join(profile, 'Local State'))).toBe(true);
  });

  it('removes a stale lock that points to a dead pid, and only the Singleton files', async () => {
    const pid = await deadPid();
    expect(isAlive(pid)).toBe(false);
    lockTo(`${os.hostname()}-${pid}`);
    const result = await recoverProfileLock(profile);
    expect(result).toEqual({ action: 'removed-stale', host: os.hostname(), pid, why: 'dead' });
    expect(singletons()).toEqual([]);
    expect(fs.existsSync(path.join(profile, 'Local State'))).toBe(true);
  });

  it('kills the whole tree of a live browser of ours on this profile, then clears the lock', async () => {
    const ours = await spawnFakeBrowser(profile, { withChild: true });
    const tree = await ours.tree();
    expect(tree.length).toBe(2);
    lockTo(`${os.hostname()}-${ours.pid}`);
    const result = await recoverProfileLock(profile);
    expect(result.action).toBe('killed-owner');
    for (const pid of tree) expect(isAlive(pid)).toBe(false);
    expect(singletons()).toEqual([]);
  });

  it('leaves a live foreign process alone and fails with a clear message', async () => {
    const foreign = await spawnFakeBrowser(path.join(tmp, 'someone-elses-profile'));
    const bare = await spawnFakeBrowser(null);
    for (const proc of [foreign, bare]) {
      for (const f of singletons()) fs.rmSync(path.join(profile, f));
      lockTo(`${os.hostname()}-${proc.pid}`);
      const err = await recoverProfileLock(profile).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProfileLockedError);
      expect((err as Error).message).toContain(`locked by process ${proc.pid}`);
      expect((err as Error).message).toContain('not a browser of this bridge');
      expect(isAlive(proc.pid)).toBe(true);
      expect(singletons().length).toBe(3);
    }
  });

  it('a profile that merely starts with ours is not ours', async () => {
    const lookalike = await spawnFakeBrowser(`${profile}-old`);
    lockTo(`${os.hostname()}-${lookalike.pid}`);
    await expect(recoverProfileLock(profile)).rejects.toBeInstanceOf(ProfileLockedError);
    expect(isAlive(lookalike.pid)).toBe(true);
  });

  it('removes a lock written on another host without touching the local pid', async () => {
    const ours = await spawnFakeBrowser(profile);
    lockTo(`another-machine-${ours.pid}`);
    const result = await recoverProfileLock(profile);
    expect(result).toMatchObject({ action: 'removed-stale', why: 'other-host', host: 'another-machine' });
    expect(isAlive(ours.pid)).toBe(true);
    expect(singletons()).toEqual([]);
  });

  it('treats an unparseable lock target as stale', async () => {
    lockTo('garbage');
    expect(await recoverProfileLock(profile)).toMatchObject({ action: 'removed-stale', why: 'unreadable' });
    expect(singletons()).toEqual([]);
  });
});
