import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BRIDGE_DATA_FOLDER, bridgeDataDir, bundledBrowserDir, logFile, rendererDir, trayIconPath, userDataDir } from './app-paths.js';
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
  it('keeps data under the product-named userData folder', () => {
    expect(userDataDir('/home/u/.config')).toBe(path.join('/home/u/.config', 'WA Bridge'));
    expect(bridgeDataDir('/ud')).toBe(path.join('/ud', BRIDGE_DATA_FOLDER));
  });

  it('finds the bundled Chromium in resources when packaged, in build/ in a checkout', () => {
    expect(bundledBrowserDir({ isPackaged: true, resourcesPath: '/opt/WA Bridge/resources', appPath: '/opt/WA Bridge/resources/app.asar' })).toBe(
      path.join('/opt/WA Bridge/resources', 'chromium'),
    );
    expect(bundledBrowserDir({ isPackaged: false, resourcesPath: '/x/electron/resources', appPath: '/src/wa' })).toBe(path.join('/src/wa', 'build', 'chromium'));
  });

  it('serves the renderer packed in the app and logs under userData', () => {
    expect(rendererDir({ appPath: '/r/app.asar' })).toBe(path.join('/r/app.asar', 'dist', 'renderer'));
    expect(logFile('/ud', 'bridge')).toBe(path.join('/ud', 'logs', 'bridge.log'));
  });

  it('uses a template tray image on macOS', () => {
    const layout = { isPackaged: true, resourcesPath: '/r', appPath: '/r/app.asar' };
    expect(trayIconPath(layout, 'darwin')).toBe(path.join('/r', 'tray', 'trayTemplate.png'));
    expect(trayIconPath(layout, 'win32')).toBe(path.join('/r', 'tray', 'tray.png'));
  });
});
