// Keeps the message at the top of a scroller where it was on the screen while older messages are
// prepended above it. Virtuoso's `firstItemIndex` gets close, but shifts by estimated heights and
// cannot know that the old first message lost its day separator; this measures the real DOM for a
// few frames after the change and scrolls by whatever is left.
import { useLayoutEffect, useRef } from 'react';
import { watchHandScroll } from './hand-scroll.js';

interface Anchor {
  id: string;
  top: number;
}

/** The first message whose bottom is below the scroller's top edge. */
export function topVisibleMessage(scroller: HTMLElement): Anchor | null {
  const edge = scroller.getBoundingClientRect().top;
  for (const el of scroller.querySelectorAll<HTMLElement>('[data-message-id]')) {
    const box = el.getBoundingClientRect();
    if (box.bottom > edge + 1) return { id: el.dataset.messageId!, top: box.top };
  }
  return null;
}

/**
 * The correction stops after this many frames *and* this long without movement: Virtuoso measures
 * over a few frames, and on a loaded machine its last adjustment can come after several quiet ones.
 */
const STILL_FRAMES = 3;
const STILL_MS = 250;
/** …and in any case after this long. */
const MAX_MS = 2500;

/**
 * Call during render with how many items were just prepended: the anchor is read from the DOM as
 * it is before this render commits (the hooks' stand-in for getSnapshotBeforeUpdate).
 */
export function useKeepAnchor(scroller: HTMLElement | null, prepended: number): void {
  const anchor = useRef<Anchor | null>(null);
  if (prepended > 0 && scroller && !anchor.current) anchor.current = topVisibleMessage(scroller);
  useLayoutEffect(() => {
    const at = anchor.current;
    if (!at || !scroller) return;
    anchor.current = null;
    const start = performance.now();
    let still = 0;
    let lastMove = start;
    let raf = 0;
    // The owner scrolling by hand ends the correction at once.
    const hand = watchHandScroll(scroller);
    const correct = () => {
      const el = scroller.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(at.id)}"]`);
      const delta = el ? el.getBoundingClientRect().top - at.top : 0;
      const now = performance.now();
      if (Math.abs(delta) >= 0.5) {
        scroller.scrollTop += delta;
        still = 0;
        lastMove = now;
      } else still++;
      const settled = still >= STILL_FRAMES && now - lastMove >= STILL_MS;
      if (!hand.moved() && !settled && now - start < MAX_MS) raf = requestAnimationFrame(correct);
    };
    correct();
    return () => {
      cancelAnimationFrame(raf);
      hand.release();
    };
  });
}
