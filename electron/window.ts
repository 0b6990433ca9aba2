// The admin window and the session rules around it (Electron's security checklist):
// isolated sandboxed renderer, our preload only, CSP, navigation and permission guards.
import { BrowserWindow, app, shell, type Session, type WebContents } from 'electron';
import path from 'node:path';
import { withCsp } from './csp.js';
import { decideNavigation, decideWindowOpen, type NavigationDecision } from './navigation.js';
import { isPermissionAllowed } from './permissions.js';

function follow(decision: NavigationDecision, prevent: () => void): void {
  if (decision.action === 'allow') return;
  prevent();
  if (decision.openExternal) void shell.openExternal(decision.openExternal);
}

/** Guards for every web contents the app ever creates (also any the renderer might spawn). */
export function guardAllWebContents(appUrl: () => string): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => follow(decideNavigation(url, appUrl()), () => event.preventDefault()));
    contents.on('will-redirect', (event, url) => follow(decideNavigation(url, appUrl()), () => event.preventDefault()));
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      follow(decideWindowOpen(url), () => {});
      return { action: 'deny' };
    });
  });
}

export function hardenSession(ses: Session, appUrl: string): void {
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl ?? contents?.getURL(), appUrl));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin, appUrl));
  ses.webRequest.onHeadersReceived({ urls: [`${appUrl}/*`] }, (details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, appUrl) });
  });
}

export function createMainWindow(opts: { appUrl: string; preloadPath: string; iconPath?: string; show: boolean }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'WA Bridge',
    icon: opts.iconPath,
    autoHideMenuBar: true,
    webPreferences: {
      preload: path.resolve(opts.preloadPath),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (opts.show) win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.appUrl);
  return win;
}
