// Screens load on first visit (the slot grid paints fast), but their code is fetched as soon as
// the shell is idle, so a bridge that goes away later cannot leave a screen without its code.
// React.lazy keeps a failed load for good: `reset` makes a fresh one for the Retry button.
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface LazyScreen<P> {
  get(): LazyExoticComponent<ComponentType<P>>;
  reset(): void;
  prefetch(): void;
}

export function lazyScreen<P>(load: () => Promise<ComponentType<P>>): LazyScreen<P> {
  const make = () => lazy(() => load().then((c) => ({ default: c })));
  let current = make();
  return {
    get: () => current,
    reset: () => {
      current = make();
    },
    prefetch: () => {
      load().catch(() => undefined);
    },
  };
}
