// Keeps a jumped-to message (a search hit) inside a virtualised scroller while the list settles.
// One scrollToIndex is not enough: Virtuoso may still be applying its own initial position (the
// newest message), measuring rows or keeping an anchor after older pages were prepended, and any
// of those can carry the view away again. So for a while this checks the real DOM every frame and
// asks again whenever the message is not on screen; the owner scrolling by hand ends it at once.
import { useEffect, useRef } from 'react';
import { watchHandScroll } from './hand-scroll.js';

/** Whether `el` lies within the scroller's visible box (a pixel of slack for rounding). */
export function isInView(el: Element, scroller: Element): boolean {
  const b = el.getBoundingClientRect();
  const s = scroller.getBoundingClientRect();
  const inside = b.top >= s.top - 1 && b.bottom <= s.bottom + 1;
  // A message taller than the viewport counts when it covers all of it.
  const covers = b.top <= s.top + 1 && b.bottom >= s.bottom - 1;
  return inside || covers;
}

/** How long the message is held in view after the jump (the flash lasts about as long). */
export const HOLD_MS = 2500;
/** Frames to let a scroll request land before asking again. */
const RETRY_FRAMES = 4;

/**
 * While `id` is set (and for HOLD_MS at most), bring the message into view whenever it is not.
 * `scrollTo` receives nothing and should scroll the list to that message (by index).
 */
export function useKeepInView(scroller: HTMLElement | null, id: string | null, scrollTo: () => void): void {
  const ask = useRef(scrollTo);
  ask.current = scrollTo;
  useEffect(() => {
    if (!scroller || !id) return;
    const until = performance.now() + HOLD_MS;
    let raf = 0;
    let sinceAsked = RETRY_FRAMES;
    const hand = watchHandScroll(scroller);
    const check = () => {
      if (hand.moved() || performance.now() > until) return;
      const el = scroller.querySelector(`[data-message-id="${CSS.escape(id)}"]`);
      if ((!el || !isInView(el, scroller)) && ++sinceAsked >= RETRY_FRAMES) {
        sinceAsked = 0;
        ask.current();
      }
      raf = requestAnimationFrame(check);
    };
    check();
    return () => {
      cancelAnimationFrame(raf);
      hand.release();
    };
  }, [scroller, id]);
}
