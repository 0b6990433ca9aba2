// Fuse policy, flipping and checking (scripts/packaging/fuses.ts) on a stand-in binary that
// carries Electron's fuse wire.
import { FuseV1Options } from '@electron/fuses';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBinary, flipAppFuses, fuseProblems, fusePolicy, readFuseWire } from '../../scripts/packaging/fuses.js';
import { standInElectron } from './stand-in-electron.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fuses-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('fuses', () => {
  it("reports every risky fuse of a stock binary, and none once they are flipped", async () => {
    const binary = standInElectron(path.join(tmp, 'stock', 'wa-bridge'));
    const before = fuseProblems(await readFuseWire(binary), fusePolicy('linux'));
    expect(before).toEqual([
      'fuse RunAsNode is on, must be off',
      'fuse EnableNodeOptionsEnvironmentVariable is on, must be off',
      'fuse EnableNodeCliInspectArguments is on, must be off',
      'fuse OnlyLoadAppFromAsar is off, must be on',
      'fuse GrantFileProtocolExtraPrivileges is on, must be off',
    ]);
    await flipAppFuses(binary, 'linux', 'x64');
    expect(fuseProblems(await readFuseWire(binary), fusePolicy('linux'))).toEqual([]);
    expect(fs.readFileSync(binary, 'latin1')).toContain('#!/bin/sh'); // only the wire changed
  });

  it('wants asar integrity validated on macOS and Windows, where Electron supports it', async () => {
    expect(fusePolicy('linux')[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBeUndefined();
    for (const platform of ['darwin', 'win32']) expect(fusePolicy(platform)[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    const binary = standInElectron(path.join(tmp, 'win', 'WA Bridge.exe'));
    await flipAppFuses(binary, 'win32', 'x64');
    expect(fuseProblems(await readFuseWire(binary), fusePolicy('win32'))).toEqual([]);
    expect(fuseProblems(await readFuseWire(binary), fusePolicy('linux'))).toEqual([]);
  });

  it('catches a single fuse left on, a short wire and accepts a removed fuse', async () => {
    const oneLeft = standInElectron(path.join(tmp, 'one', 'e'), '10000100'); // only RunAsNode on
    expect(fuseProblems(await readFuseWire(oneLeft), fusePolicy('linux'))).toEqual(['fuse RunAsNode is on, must be off']);
    const short = standInElectron(path.join(tmp, 'short', 'e'), '0000');
    expect(fuseProblems(await readFuseWire(short), fusePolicy('linux'))).toEqual([
      'fuse OnlyLoadAppFromAsar is missing from the binary\'s fuse wire',
      'fuse GrantFileProtocolExtraPrivileges is missing from the binary\'s fuse wire',
    ]);
    const removed = standInElectron(path.join(tmp, 'removed', 'e'), 'r0000100');
    expect(fuseProblems(await readFuseWire(removed), fusePolicy('linux'))).toEqual([]);
  });

  it('finds the fuse file of each platform', () => {
    const names = { executableName: 'wa-bridge', productFilename: 'WA Bridge' };
    expect(electronBinary('/o', 'linux', names)).toBe(path.join('/o', 'wa-bridge'));
    expect(electronBinary('/o', 'win32', names)).toBe(path.join('/o', 'WA Bridge.exe'));
    expect(electronBinary('/o', 'darwin', names)).toBe(path.join('/o', 'WA Bridge.app'));
  });
});
