// Deny-by-default permissions for the window. The admin app needs none of camera, microphone,
// geolocation, notifications (the main process shows those) or the like; copying a pairing
// token to the clipboard is the one thing it may do, and only from the bridge's own origin.
import { isAppUrl } from './navigation.js';

const ALLOWED = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string | undefined, appUrl: string): boolean {
  return ALLOWED.has(permission) && typeof requestingUrl === 'string' && isAppUrl(requestingUrl, appUrl);
}
