// Screens built on the slot list: until its first load works, keep trying (the bridge may be
// starting or away) and say why it failed, instead of "Loading…" for ever.
import { useCallback, useEffect, useState } from 'react';
import { useApp } from './app.js';
import { useStore } from './store.js';

export function useSlotsLoaded(): { loaded: boolean; error: unknown; retry: () => void } {
  const { slots } = useApp();
  const loaded = useStore(slots.loaded);
  const [error, setError] = useState<unknown>(null);
  const retry = useCallback(() => {
    slots.refresh().then(() => setError(null), (e: unknown) => setError(e));
  }, [slots]);

  useEffect(() => {
    if (loaded) return;
    let stop = false;
    const attempt = () => slots.refresh().then(() => setError(null), (e: unknown) => !stop && setError(e));
    void attempt();
    const id = setInterval(attempt, 5000);
    return () => {
      stop = true;
      clearInterval(id);
    };
  }, [loaded, slots]);

  return { loaded, error: loaded ? null : error, retry };
}

/** Is the bridge's word on slot states current? Not while the live link is lost. */
export function useStatesKnown(): boolean {
  const { link } = useApp();
  const [known, setKnown] = useState(link.state !== 'lost');
  useEffect(() => {
    setKnown(link.state !== 'lost');
    return link.onState((s) => setKnown(s !== 'lost'));
  }, [link]);
  return known;
}
