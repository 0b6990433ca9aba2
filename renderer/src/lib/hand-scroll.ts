// The list's own scroll corrections (keep an anchor, keep a jumped-to message in view) must give
// way the moment the owner scrolls by hand. A scroll event cannot tell the two apart; the input
// that moves the list by hand can.
const HAND_INPUT = ['wheel', 'touchmove', 'keydown'] as const;

export interface HandScroll {
  /** Whether the owner has scrolled by hand since watching began. */
  moved(): boolean;
  /** Stop watching. */
  release(): void;
}

export function watchHandScroll(scroller: EventTarget): HandScroll {
  let moved = false;
  const onInput = () => (moved = true);
  for (const type of HAND_INPUT) scroller.addEventListener(type, onInput, { passive: true });
  return {
    moved: () => moved,
    release: () => {
      for (const type of HAND_INPUT) scroller.removeEventListener(type, onInput);
    },
  };
}
