// The owner's own scrolling input, which ends the list's scroll corrections (pure: Node's EventTarget
// stands in for the scroller).
import { describe, expect, it } from 'vitest';
import { watchHandScroll } from '../../renderer/src/lib/hand-scroll.js';

const scroller = () => new EventTarget();

describe('hand scroll', () => {
  it.each(['wheel', 'touchmove', 'keydown'])('counts %s as scrolling by hand', (type) => {
    const el = scroller();
    const hand = watchHandScroll(el);
    expect(hand.moved()).toBe(false);
    el.dispatchEvent(new Event(type));
    expect(hand.moved()).toBe(true);
  });

  it('does not count the list scrolling itself, nor input after release', () => {
    const el = scroller();
    const hand = watchHandScroll(el);
    el.dispatchEvent(new Event('scroll'));
    expect(hand.moved()).toBe(false);
    hand.release();
    for (const type of ['wheel', 'touchmove', 'keydown']) el.dispatchEvent(new Event(type));
    expect(hand.moved()).toBe(false);
  });
});
