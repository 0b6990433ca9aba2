// What the packed app loads at run time, derived from the same names the app uses.
import { BUNDLED_BROWSER_FOLDER, PRELOAD_FILE } from '../../electron/app-paths.js';
import type { RuntimeSpec } from './layout.js';

/** The SQLite archive's worker thread (bridge/archive/worker-client.ts starts it). */
export const ARCHIVE_WORKER = 'dist/bridge/archive/sqlite-worker.js';

/** `browserPlatform`: the OS of the browser the build ships, if it ships one. */
export function runtimeSpec(pkg: { main: string }, browserPlatform?: NodeJS.Platform): RuntimeSpec {
  return {
    plain: ['package.json', pkg.main, `dist/electron/${PRELOAD_FILE}`, 'dist/bridge/bridge.js', 'dist/bridge/main.js', 'dist/bridge/session-store/main.js'],
    workers: [ARCHIVE_WORKER],
    rendererIndex: 'dist/renderer/index.html',
    ...(browserPlatform ? { browser: { folder: BUNDLED_BROWSER_FOLDER, platform: browserPlatform } } : {}),
  };
}
