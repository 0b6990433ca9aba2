// Virtuoso's firstItemIndex as older pages are prepended (pure).
import { describe, expect, it } from 'vitest';
import { FIRST_INDEX_BASE, nextFirstItemIndex } from '../../renderer/src/lib/first-item-index.js';

describe('first item index', () => {
  it('drops by the number of messages that arrived above the old first one', () => {
    expect(nextFirstItemIndex({ firstId: undefined, index: FIRST_INDEX_BASE }, ['a', 'b'])).toBe(FIRST_INDEX_BASE);
    expect(nextFirstItemIndex({ firstId: 'c', index: 500 }, ['a', 'b', 'c', 'd'])).toBe(498);
    // Appended below: unchanged.
    expect(nextFirstItemIndex({ firstId: 'a', index: 500 }, ['a', 'b', 'c'])).toBe(500);
    // The old first is gone (another chat): start afresh.
    expect(nextFirstItemIndex({ firstId: 'x', index: 500 }, ['a', 'b'])).toBe(FIRST_INDEX_BASE);
  });
});
