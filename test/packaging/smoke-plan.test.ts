// The pure half of the release smoke test (scripts/smoke/): where electron-builder leaves each
// unpacked app, the throw-away home, and what counts as left behind after quitting.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledBrowserDir, userDataDir } from '../../electron/app-paths.js';
import { isolatedEnv, leftovers, packedExecutable, smokeUserData } from '../../scripts/smoke/smoke-plan.js';

describe('smoke plan', () => {
  it("finds the unpacked app where electron-builder puts it on each OS", () => {
    expect(packedExecutable('linux', 'x64', '/r')).toBe(path.join('/r', 'linux-unpacked', 'wa-bridge'));
    expect(packedExecutable('linux', 'arm64', '/r')).toBe(path.join('/r', 'linux-arm64-unpacked', 'wa-bridge'));
    expect(packedExecutable('win32', 'x64', '/r')).toBe(path.join('/r', 'win-unpacked', 'WA Bridge.exe'));
    expect(packedExecutable('darwin', 'arm64', '/r')).toBe(path.join('/r', 'mac-arm64', 'WA Bridge.app', 'Contents', 'MacOS', 'WA Bridge'));
    expect(packedExecutable('darwin', 'x64', '/r')).toBe(path.join('/r', 'mac', 'WA Bridge.app', 'Contents', 'MacOS', 'WA Bridge'));
  });

  it('puts the per-user folder in the throw-away home, where the app will look for it', () => {
    // Electron's appData: $XDG_CONFIG_HOME (Linux), %APPDATA% (Windows), ~/Library/Application Support (macOS).
    expect(smokeUserData('linux', '/h')).toBe(userDataDir(isolatedEnv('linux', '/h').XDG_CONFIG_HOME!));
    expect(smokeUserData('win32', '/h')).toBe(userDataDir(isolatedEnv('win32', '/h').APPDATA!));
    expect(smokeUserData('darwin', '/h')).toBe(userDataDir(path.join(isolatedEnv('darwin', '/h').HOME!, 'Library', 'Application Support')));
  });

  it("counts the run's own browsers and app as left behind, nobody else's", () => {
    const resources = path.join('/r', 'linux-unpacked', 'resources');
    const procs = [
      { pid: 1, ppid: 0, command: `${bundledBrowserDir({ isPackaged: true, resourcesPath: resources, appPath: '' })}/chrome/linux-1/chrome-linux64/chrome --user-data-dir=/h/.config/WA Bridge/data/session-slot-1`, argv: null },
      { pid: 2, ppid: 0, command: '/usr/bin/chromium --user-data-dir=/home/me/.config/chromium', argv: null },
      { pid: 3, ppid: 0, command: 'C:\\R\\WIN-UNPACKED\\WA Bridge.exe --type=gpu-process', argv: null },
    ];
    expect(leftovers(procs, ['/h/.config/WA Bridge']).map((p) => p.pid)).toEqual([1]);
    expect(leftovers(procs, ['C:\\r\\win-unpacked']).map((p) => p.pid)).toEqual([3]);
    expect(leftovers(procs, ['/elsewhere'])).toEqual([]);
  });
});
