import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirError, icaclsArgs, secureDataDir, windowsUser } from './data-dir.js';

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const posix = process.platform !== 'win32';

describe.runIf(posix)('data dir on POSIX', () => {
  it('an existing install (0755 dirs, 0644 files) becomes 0700 / 0600 throughout', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-perm-'));
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, 'slots', 'slot-1', 'Default'), { recursive: true, mode: 0o755 });
    for (const f of ['archive.db', 'state.db', 'admin-token', 'slots/slot-1/Default/Cookies']) fs.writeFileSync(path.join(dir, f), 'x', { mode: 0o644 });
    fs.symlinkSync('/etc/hostname', path.join(dir, 'link'));
    const hostMode = mode('/etc/hostname');
    expect(secureDataDir(dir)).toBeNull();
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, 'slots', 'slot-1', 'Default'))).toBe(0o700);
    for (const f of ['archive.db', 'state.db', 'admin-token', 'slots/slot-1/Default/Cookies']) expect(mode(path.join(dir, f)), f).toBe(0o600);
    expect(mode('/etc/hostname')).toBe(hostMode); // a symlink is never followed
    // New files are private from the start.
    fs.writeFileSync(path.join(dir, 'new.db'), 'y');
    expect(mode(path.join(dir, 'new.db'))).toBe(0o600);
  });

  it('a data dir that cannot be created is one clear error', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-perm-'));
    fs.writeFileSync(path.join(parent, 'file'), 'x');
    expect(() => secureDataDir(path.join(parent, 'file', 'data'))).toThrow(DataDirError);
    expect(() => secureDataDir(path.join(parent, 'file', 'data'))).toThrow(/data dir .* is not writable \(ENOTDIR\); set WA_BRIDGE_DATA_DIR/);
  });
});

describe('data dir on Windows', () => {
  it('builds the icacls command: no inheritance, full control for the user only, whole tree', () => {
    expect(icaclsArgs('C:\\Users\\Shop\\AppData\\WA Bridge', 'SHOP-PC\\Shop')).toEqual([
      'C:\\Users\\Shop\\AppData\\WA Bridge',
      '/inheritance:r',
      '/grant:r',
      'SHOP-PC\\Shop:(OI)(CI)F',
      '/T',
      '/C',
      '/Q',
    ]);
    expect(windowsUser({ USERNAME: 'Shop', USERDOMAIN: 'SHOP-PC' })).toBe('SHOP-PC\\Shop');
    expect(windowsUser({ USERNAME: 'Shop' })).toBe('Shop');
  });

  it('runs icacls on the data dir, and a failing icacls is a warning, not a failed start', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-perm-'));
    const calls: [string, string[]][] = [];
    const env = { USERNAME: 'Shop', USERDOMAIN: 'PC' };
    expect(secureDataDir(dir, { platform: 'win32', env, run: (f, a) => void calls.push([f, a]) })).toBeNull();
    expect(calls).toEqual([['icacls', icaclsArgs(dir, 'PC\\Shop')]]);
    const warning = secureDataDir(dir, { platform: 'win32', env, run: () => { throw new Error('Access is denied.'); } });
    expect(warning).toMatch(/icacls: Access is denied/);
  });
});
