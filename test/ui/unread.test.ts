// The unread divider's place (pure).
import { describe, expect, it } from 'vitest';
import { unreadDividerId } from '../../renderer/src/lib/unread.js';

const m = (id: string, fromMe: 0 | 1) => ({ id, fromMe });

describe('unread divider', () => {
  it('goes before the first of the last N incoming messages, skipping the owner’s', () => {
    const list = [m('a', 0), m('b', 1), m('c', 0), m('d', 1), m('e', 0)];
    expect(unreadDividerId(list, 1)).toBe('e');
    expect(unreadDividerId(list, 2)).toBe('c');
    expect(unreadDividerId(list, 3)).toBe('a');
    expect(unreadDividerId(list, 9)).toBe('a');
    expect(unreadDividerId(list, 0)).toBeNull();
    expect(unreadDividerId([m('x', 1)], 2)).toBeNull();
  });
});
