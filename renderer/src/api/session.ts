// Sign-in by cookie: the token typed once is exchanged for the bridge's HttpOnly session cookie
// (POST /api/session) and never kept by the page. Tabs tell each other when they sign in or out.
import { createApi, type Api } from './client.js';

/** Where older versions of the app kept the token (sessionStorage; some builds localStorage). */
export const OLD_TOKEN_KEY = 'waBridge.adminToken';

export interface SessionInfo {
  signedIn: boolean;
  kind?: 'admin' | 'device';
}

const api = (): Api => createApi(null);

export async function sessionInfo(client: Api = api()): Promise<SessionInfo> {
  return client.get<SessionInfo>('/api/session');
}

/** Exchange a token for the cookie; an ApiError (UNAUTHORIZED, …) when the bridge refuses it. */
export async function signInWithToken(token: string, client: Api = api()): Promise<void> {
  await client.post('/api/session', { token });
}

export async function endSession(client: Api = api()): Promise<void> {
  await client.del('/api/session');
}

export interface StorageLike {
  getItem(key: string): string | null;
  removeItem(key: string): void;
}

function storages(): StorageLike[] {
  const found: StorageLike[] = [];
  // Through globalThis: this module is also type-checked (tests) without the DOM library.
  const g = globalThis as unknown as { localStorage: StorageLike; sessionStorage: StorageLike };
  for (const pick of [() => g.localStorage, () => g.sessionStorage]) {
    try {
      found.push(pick());
    } catch {
      /* storage blocked: nothing was kept there */
    }
  }
  return found;
}

/**
 * Upgrade from the token-in-storage versions: a kept token is taken out of storage at once and
 * exchanged for the cookie. True when that signed this browser in.
 */
export async function migrateStoredToken(kept: StorageLike[] = storages(), client: Api = api()): Promise<boolean> {
  let token: string | null = null;
  for (const s of kept) {
    try {
      token ??= s.getItem(OLD_TOKEN_KEY);
      s.removeItem(OLD_TOKEN_KEY);
    } catch {
      /* unreadable storage: nothing to migrate */
    }
  }
  if (!token) return false;
  try {
    await signInWithToken(token, client);
    return true;
  } catch {
    return false; // a stale token: the sign-in form asks for a good one
  }
}

export type SessionMessage = 'signed-in' | 'signed-out';

/** Other tabs of this browser share the cookie: tell them when it changes. */
export function sessionChannel(onMessage: (m: SessionMessage) => void): { post(m: SessionMessage): void; close(): void } {
  if (typeof BroadcastChannel === 'undefined') return { post: () => undefined, close: () => undefined };
  const channel = new BroadcastChannel('wa-bridge-session');
  channel.onmessage = (e: MessageEvent) => {
    if (e.data === 'signed-in' || e.data === 'signed-out') onMessage(e.data);
  };
  return { post: (m) => channel.postMessage(m), close: () => channel.close() };
}
