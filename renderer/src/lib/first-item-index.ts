// Virtuoso keeps the view still when items are prepended only if `firstItemIndex` drops by the
// number of new items in the same render. This derives it from the list: the previous first
// message's new position is how many arrived above it.
import { useRef } from 'react';

/** Far from zero, so thousands of older messages can still be prepended. */
export const FIRST_INDEX_BASE = 1_000_000;

export function nextFirstItemIndex(prev: { firstId: string | undefined; index: number }, ids: string[]): number {
  if (prev.firstId === undefined) return prev.index;
  const at = ids.indexOf(prev.firstId);
  // The old first item is gone (another chat, or a reload): start afresh.
  return at < 0 ? FIRST_INDEX_BASE : prev.index - at;
}

/** `prepended`: how many items arrived above the previous first one in this render. */
export function useFirstItemIndex(list: { id: string }[]): { firstItemIndex: number; prepended: number } {
  const state = useRef<{ firstId: string | undefined; index: number }>({ firstId: undefined, index: FIRST_INDEX_BASE });
  const prev = state.current.index;
  const index = nextFirstItemIndex(state.current, list.map((m) => m.id));
  // Idempotent: a second render of the same list finds the first id at 0 and keeps the index.
  state.current = { firstId: list[0]?.id, index };
  return { firstItemIndex: index, prepended: index < prev ? prev - index : 0 };
}
