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

/** Frames without movement before the correction stops (Virtuoso measures over a few frames). */
const STILL_FRAMES = 3;
const MAX_FRAMES = 40;

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
    let frame = 0;
    let still = 0;
    let raf = 0;
    // The owner scrolling by hand ends the correction at once.
    const hand = watchHandScroll(scroller);
    const correct = () => {
      const el = scroller.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(at.id)}"]`);
      const delta = el ? el.getBoundingClientRect().top - at.top : 0;
      if (Math.abs(delta) >= 0.5) {
        scroller.scrollTop += delta;
        still = 0;
      } else still++;
      if (!hand.moved() && still < STILL_FRAMES && ++frame < MAX_FRAMES) raf = requestAnimationFrame(correct);
    };
    correct();
    return () => {
      cancelAnimationFrame(raf);
      hand.release();
    };
  });
}
