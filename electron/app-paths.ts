// Where the desktop app keeps and finds things. Pure: every input is passed in.
import path from 'node:path';

export const PRODUCT_NAME = 'WA Bridge';
/** electron-builder's appId: the NSIS shortcuts carry it as the AppUserModelId Windows toasts need. */
export const APP_ID = 'app.wabridge.desktop';
/** Folder (inside userData) holding the bridge's data dir: sessions, database, tokens. */
export const BRIDGE_DATA_FOLDER = 'data';
/** Folder (inside resources) where the build puts the bundled Chromium (extraResources). */
export const BUNDLED_BROWSER_FOLDER = 'chromium';
/** The preload as tsc emits it beside main.js (from preload.cts: sandboxed preloads are CommonJS). */
export const PRELOAD_FILE = 'preload.cjs';
/** Folder (inside resources) with the tray icons (extraResources). */
export const TRAY_ICON_FOLDER = 'tray';

/** userData pinned to the product name, whatever package.json's name says in development. */
export function userDataDir(appData: string): string {
  return path.join(appData, PRODUCT_NAME);
}

export function bridgeDataDir(userData: string): string {
  return path.join(userData, BRIDGE_DATA_FOLDER);
}

export interface Layout {
  isPackaged: boolean;
  /** process.resourcesPath */
  resourcesPath: string;
  /** The project root in development (app.getAppPath()). */
  appPath: string;
}

/** The shipped Chromium: resources/chromium when packaged, build/chromium in a checkout. */
export function bundledBrowserDir(layout: Layout): string {
  return layout.isPackaged
    ? path.join(layout.resourcesPath, BUNDLED_BROWSER_FOLDER)
    : path.join(layout.appPath, 'build', BUNDLED_BROWSER_FOLDER);
}

/** Tray icon: a template image on macOS (tinted by the OS), a colour PNG elsewhere. */
export function trayIconPath(layout: Layout, platform: NodeJS.Platform): string {
  const dir = layout.isPackaged ? path.join(layout.resourcesPath, TRAY_ICON_FOLDER) : path.join(layout.appPath, 'build', TRAY_ICON_FOLDER);
  return path.join(dir, platform === 'darwin' ? 'trayTemplate.png' : 'tray.png');
}

/** The built admin app inside the app (app.asar/dist/renderer, or <checkout>/dist/renderer). */
export function rendererDir(layout: Pick<Layout, 'appPath'>): string {
  return path.join(layout.appPath, 'dist', 'renderer');
}

/** Log files of the packaged app (it has no terminal). */
export function logFile(userData: string, name: 'desktop' | 'bridge'): string {
  return path.join(userData, 'logs', `${name}.log`);
}
