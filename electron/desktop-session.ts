// The desktop app signs its own window in: the main process exchanges the admin token for the
// bridge's session cookie and puts it in the window's cookie jar, so the page never holds the
// token (the renderer only ever sees an HttpOnly cookie it cannot read).

/** The part of Electron's `session.cookies` used here. */
export interface CookieJar {
  set(details: {
    url: string;
    name: string;
    value: string;
    path: string;
    httpOnly: boolean;
    secure: boolean;
    sameSite: 'strict';
    expirationDate?: number;
  }): Promise<void>;
}

export interface DesktopSignIn {
  bridgeUrl: string;
  adminToken: string;
  cookies: CookieJar;
  fetchImpl?: typeof fetch;
}

/** `name=value` and its Expires from one Set-Cookie line. */
export function parseSetCookie(line: string): { name: string; value: string; expires: number | null } | null {
  const [pair, ...attrs] = line.split(';');
  const eq = pair?.indexOf('=') ?? -1;
  if (!pair || eq < 1) return null;
  let expires: number | null = null;
  for (const a of attrs) {
    const [k, v] = a.split('=');
    if (k?.trim().toLowerCase() === 'expires' && v) {
      const at = Date.parse(v.trim());
      if (Number.isFinite(at)) expires = at;
    }
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), expires };
}

/** Sign the window in; throws with the bridge's reason when it refuses. */
export async function signInDesktop({ bridgeUrl, adminToken, cookies, fetchImpl = fetch }: DesktopSignIn): Promise<void> {
  const res = await fetchImpl(`${bridgeUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: adminToken }),
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(`the bridge refused the desktop sign-in (HTTP ${res.status}${body?.error?.message ? `: ${body.error.message}` : ''})`);
  }
  const cookie = res.headers
    .getSetCookie()
    .map(parseSetCookie)
    .find((c) => c?.name === 'wab_session' && c.value);
  if (!cookie) throw new Error('the bridge signed in but sent no session cookie');
  await cookies.set({
    url: bridgeUrl,
    name: cookie.name,
    value: cookie.value,
    path: '/',
    httpOnly: true,
    secure: bridgeUrl.startsWith('https:'),
    sameSite: 'strict',
    ...(cookie.expires ? { expirationDate: Math.floor(cookie.expires / 1000) } : {}),
  });
}
