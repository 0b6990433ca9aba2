// Media behind the token, as object URLs the page can show: <img>, <audio> and <video> cannot send
// the apikey header themselves. While the bridge still fetches a file (202) it asks again.
import { useEffect, useState } from 'react';
import type { Api } from '../api/client.js';

const RETRY_MS = 2000;
const MAX_TRIES = 30;

export type MediaUrlState = { url: string | null; state: 'idle' | 'loading' | 'ready' | 'expired' | 'error' };

/** Load `path` (null = nothing to load) once it is wanted; the object URL is released on unmount. */
export function useMediaUrl(api: Api, path: string | null): MediaUrlState {
  const [result, setResult] = useState<MediaUrlState>({ url: null, state: path ? 'loading' : 'idle' });
  useEffect(() => {
    if (!path) return;
    let cancelled = false;
    let objectUrl: string | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = async (tries: number) => {
      try {
        const got = await api.blob(path);
        if (cancelled) return;
        if (got === 'pending') {
          if (tries < MAX_TRIES) timer = setTimeout(() => void attempt(tries + 1), RETRY_MS);
          else setResult({ url: null, state: 'error' });
          return;
        }
        objectUrl = URL.createObjectURL(got);
        setResult({ url: objectUrl, state: 'ready' });
      } catch (err) {
        if (!cancelled) setResult({ url: null, state: (err as { code?: string }).code === 'MEDIA_EXPIRED' ? 'expired' : 'error' });
      }
    };
    setResult({ url: null, state: 'loading' });
    void attempt(1);
    return () => {
      cancelled = true;
      clearTimeout(timer);
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [api, path]);
  return result;
}

/** 0:07, 1:05:09 */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
