// Where the packed app is and how to run it in isolation: the pure half of the release smoke
// test (electron-smoke.ts), tested in `npm test`.
import path from 'node:path';
import type { ProcessEntry } from '../../bridge/engine/chromium/processes.js';
import { PRODUCT_NAME } from '../../electron/app-paths.js';

/** The unpacked app electron-builder leaves in the release folder next to the installers. */
export function packedExecutable(platform: NodeJS.Platform, arch: string, releaseDir: string, executableName = 'wa-bridge'): string {
  if (platform === 'darwin') return path.join(releaseDir, arch === 'arm64' ? 'mac-arm64' : 'mac', `${PRODUCT_NAME}.app`, 'Contents', 'MacOS', PRODUCT_NAME);
  const suffix = arch === 'x64' ? '' : `-${arch}`;
  if (platform === 'win32') return path.join(releaseDir, `win${suffix}-unpacked`, `${PRODUCT_NAME}.exe`);
  return path.join(releaseDir, `linux${suffix}-unpacked`, executableName);
}

/** Environment that points the app's per-user folder (appData) into `home`, so a smoke run never touches real data. */
export function isolatedEnv(platform: NodeJS.Platform, home: string): NodeJS.ProcessEnv {
  if (platform === 'win32') return { APPDATA: path.join(home, 'AppData', 'Roaming'), LOCALAPPDATA: path.join(home, 'AppData', 'Local') };
  if (platform === 'darwin') return { HOME: home };
  return { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
}

/** The app's per-user folder under `home` (electron/app-paths.ts pins it to the product name). */
export function smokeUserData(platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return path.join(home, 'AppData', 'Roaming', PRODUCT_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return path.join(home, '.config', PRODUCT_NAME);
}

/** Processes still running that belong to the smoke run: its slot browsers (by profile folder) or the app itself. */
export function leftovers(processes: ProcessEntry[], markers: string[]): ProcessEntry[] {
  const norm = (s: string) => s.replaceAll('\\', '/').toLowerCase();
  const wanted = markers.map(norm);
  return processes.filter((p) => wanted.some((m) => norm(p.command).includes(m)));
}
