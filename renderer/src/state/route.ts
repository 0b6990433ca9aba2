// Screens live in the URL hash (#/chats?slot=1&chat=…), so reloads and the back button work;
// the token never goes there.
import { useSyncExternalStore } from 'react';

export type Screen = 'slots' | 'chats' | 'search' | 'phones' | 'settings' | 'logs' | 'cluster';
export const SCREENS: Screen[] = ['slots', 'chats', 'search', 'phones', 'settings', 'logs', 'cluster'];

export interface Route {
  screen: Screen;
  params: Record<string, string>;
}

export function parseRoute(hash: string): Route {
  const [path = '', qs = ''] = hash.replace(/^#\/?/, '').split('?');
  const screen = (SCREENS as string[]).includes(path) ? (path as Screen) : 'slots';
  return { screen, params: Object.fromEntries(new URLSearchParams(qs)) };
}

export function routeHash(screen: Screen, params: Record<string, string | number | undefined> = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `#/${screen}${s ? `?${s}` : ''}`;
}

export function navigate(screen: Screen, params: Record<string, string | number | undefined> = {}): void {
  const next = routeHash(screen, params);
  if (location.hash !== next) location.hash = next;
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  return parseRoute(hash);
}
