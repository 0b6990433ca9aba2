// The session cookie on the wire, for REST and the WebSocket upgrade alike: its name, reading it
// from a Cookie header, and the two checks that keep another site from riding on it (CSRF).
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'wab_session';

/**
 * The header a cookie-authenticated state-changing request must carry. A form on another site
 * cannot set a custom header, and a script there cannot without a CORS preflight the bridge refuses.
 */
export const CSRF_HEADER = 'x-wab-csrf';

type Headers = IncomingMessage['headers'];

/** The session id from the Cookie header, if any. */
export function sessionIdFromHeaders(headers: Headers): string | undefined {
  const raw = headers.cookie;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    // Ids are base64url; anything else is not ours (and never reaches the database).
    return /^[A-Za-z0-9_-]{16,128}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/** Does the Origin (when the browser sent one) name this same host? A cross-site page's request does not. */
export function sameOrigin(headers: Headers): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true; // same-origin GETs and non-browser clients send none
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a cookie-authenticated request is refused as a possible cross-site forgery, or null when it may go on. */
export function csrfProblem(method: string, headers: Headers): string | null {
  if (!sameOrigin(headers)) return 'this request comes from another site (Origin does not match the bridge)';
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const mark = headers[CSRF_HEADER];
  if (typeof mark !== 'string' || mark === '') return `a request signed in by cookie that changes something needs the ${CSRF_HEADER} header`;
  return null;
}
