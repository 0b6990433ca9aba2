// Where the window may go. The window shows only the bridge's own origin; anything else is
// either handed to the system browser (http/https/mailto) or dropped.

const EXTERNAL_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Same scheme, host and port as the bridge's URL. */
export function isAppUrl(url: string, appUrl: string): boolean {
  const target = parse(url);
  const app = parse(appUrl);
  return !!target && !!app && target.origin === app.origin && target.origin !== 'null';
}

/** Safe to hand to the OS (no file:, javascript:, custom protocol handlers, no credentials in the URL). */
export function isSafeExternalUrl(url: string): boolean {
  const target = parse(url);
  if (!target || !EXTERNAL_SCHEMES.has(target.protocol)) return false;
  return target.username === '' && target.password === '';
}

export type NavigationDecision = { action: 'allow' } | { action: 'deny'; openExternal?: string };

/** For `will-navigate` / `will-redirect`: stay on the bridge, send the rest out. */
export function decideNavigation(url: string, appUrl: string): NavigationDecision {
  if (isAppUrl(url, appUrl)) return { action: 'allow' };
  return isSafeExternalUrl(url) ? { action: 'deny', openExternal: url } : { action: 'deny' };
}

/** For `setWindowOpenHandler`: never a new Electron window; safe links go to the system browser. */
export function decideWindowOpen(url: string): NavigationDecision {
  return isSafeExternalUrl(url) ? { action: 'deny', openExternal: url } : { action: 'deny' };
}

/** IPC calls are answered only for the top frame showing the bridge (not an iframe, not a stray page). */
export function isTrustedSender(frameUrl: string | undefined, isMainFrame: boolean, appUrl: string): boolean {
  return isMainFrame && typeof frameUrl === 'string' && isAppUrl(frameUrl, appUrl);
}
