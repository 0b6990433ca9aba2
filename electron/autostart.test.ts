import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bridgeDataDir, bundledBrowserDir, logFile, rendererDir, trayIconPath, userDataDir } from './app-paths.js';
import { desktopEntry, linuxAutostart, linuxExecPath, quoteExecArg, xdgConfigHome } from './autostart.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autostart-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Linux autostart entry', () => {
  it('writes, reads and removes ~/.config/autostart/<id>.desktop', () => {
    const auto = linuxAutostart({ configHome: dir, id: 'wa-bridge', name: 'WA Bridge', execPath: '/opt/WA Bridge/wa-bridge' });
    expect(auto.isEnabled()).toBe(false);
    auto.setEnabled(true);
    const text = fs.readFileSync(path.join(dir, 'autostart', 'wa-bridge.desktop'), 'utf8');
    expect(text).toContain('[Desktop Entry]');
    expect(text).toContain('Exec="/opt/WA Bridge/wa-bridge" --hidden');
    expect(auto.isEnabled()).toBe(true);
    auto.setEnabled(false);
    expect(auto.isEnabled()).toBe(false);
    auto.setEnabled(false); // idempotent
  });

  it('reads an entry the desktop disabled as off', () => {
    const auto = linuxAutostart({ configHome: dir, id: 'wa-bridge', name: 'WA Bridge', execPath: '/usr/bin/wa-bridge' });
    auto.setEnabled(true);
    const file = path.join(dir, 'autostart', 'wa-bridge.desktop');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'));
    expect(auto.isEnabled()).toBe(false);
  });

  it('quotes Exec arguments as the Desktop Entry spec asks', () => {
    expect(quoteExecArg('/usr/bin/wa-bridge')).toBe('/usr/bin/wa-bridge');
    expect(quoteExecArg('/home/a b/App.AppImage')).toBe('"/home/a b/App.AppImage"');
    expect(quoteExecArg('/x/$HOME"q')).toBe('"/x/\\\\$HOME\\\\"q"');
    expect(quoteExecArg('/x/100%')).toBe('/x/100%%');
    expect(desktopEntry('/usr/bin/wa-bridge', 'WA\nBridge')).toContain('Name=WA Bridge\n');
  });

  it('launches the AppImage itself, not its temporary mount', () => {
    expect(linuxExecPath({ APPIMAGE: '/home/u/WA-Bridge.AppImage' }, '/tmp/.mount_WA123/wa-bridge')).toBe('/home/u/WA-Bridge.AppImage');
    expect(linuxExecPath({}, '/opt/WA Bridge/wa-bridge')).toBe('/opt/WA Bridge/wa-bridge');
  });

  it('honours an absolute XDG_CONFIG_HOME only', () => {
    expect(xdgConfigHome({ XDG_CONFIG_HOME: '/cfg' }, '/home/u')).toBe('/cfg');
    expect(xdgConfigHome({ XDG_CONFIG_HOME: 'rel' }, '/home/u')).toBe(path.join('/home/u', '.config'));
    expect(xdgConfigHome({}, '/home/u')).toBe(path.join('/home/u', '.config'));
  });
});

describe('app paths', () => {
  // Literal expectations (with / as separator), so a changed folder name or layout fails here.
  const posix = (p: string) => p.split(path.sep).join('/');

  it('keeps data under the product-named userData folder', () => {
    expect(posix(userDataDir('/home/u/.config'))).toBe('/home/u/.config/WA Bridge');
    expect(posix(bridgeDataDir('/ud'))).toBe('/ud/data');
  });

  it('finds the bundled Chromium in resources when packaged, in build/ in a checkout', () => {
    expect(posix(bundledBrowserDir({ isPackaged: true, resourcesPath: '/opt/WA Bridge/resources', appPath: '/opt/WA Bridge/resources/app.asar' }))).toBe(
      '/opt/WA Bridge/resources/chromium',
    );
    expect(posix(bundledBrowserDir({ isPackaged: false, resourcesPath: '/x/electron/resources', appPath: '/src/wa' }))).toBe('/src/wa/build/chromium');
  });

  it('serves the renderer packed in the app and logs under userData', () => {
    expect(posix(rendererDir({ appPath: '/r/app.asar' }))).toBe('/r/app.asar/dist/renderer');
    expect(posix(logFile('/ud', 'bridge'))).toBe('/ud/logs/bridge.log');
    expect(posix(logFile('/ud', 'desktop'))).toBe('/ud/logs/desktop.log');
  });

  it('uses a template tray image on macOS', () => {
    const packaged = { isPackaged: true, resourcesPath: '/r', appPath: '/r/app.asar' };
    expect(posix(trayIconPath(packaged, 'darwin'))).toBe('/r/tray/trayTemplate.png');
    expect(posix(trayIconPath(packaged, 'win32'))).toBe('/r/tray/tray.png');
    expect(posix(trayIconPath({ ...packaged, isPackaged: false, appPath: '/src/wa' }, 'linux'))).toBe('/src/wa/build/tray/tray.png');
  });
});
