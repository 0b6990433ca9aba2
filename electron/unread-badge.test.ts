import { describe, expect, it, vi } from 'vitest';
import { badgeApplier, dotBitmap, parseUnreadCount, unreadBadge } from './unread-badge.js';

describe('unread badge', () => {
  it('takes only a whole, non-negative count from the page', () => {
    expect(parseUnreadCount(3)).toBe(3);
    expect(parseUnreadCount(0)).toBe(0);
    for (const bad of [-1, 1.5, NaN, Infinity, '3', null, undefined, {}, 2_000_000]) expect(parseUnreadCount(bad)).toBeNull();
  });

  it('macOS and Linux: the count beside the tray icon, in the tooltip and on the dock/launcher', () => {
    expect(unreadBadge(3, 'darwin')).toEqual({ count: 3, label: '3', tooltip: '3 unread messages', trayTitle: '3', badgeCount: 3, overlay: null });
    expect(unreadBadge(1, 'linux')).toMatchObject({ tooltip: '1 unread message', trayTitle: '1', badgeCount: 1 });
    expect(unreadBadge(250, 'linux')).toMatchObject({ label: '99+', trayTitle: '99+', badgeCount: 250 });
    expect(unreadBadge(0, 'darwin')).toEqual({ count: 0, label: '', tooltip: null, trayTitle: '', badgeCount: 0, overlay: null });
  });

  it('Windows: an overlay dot on the taskbar button with words for screen readers, no tray title', () => {
    expect(unreadBadge(4, 'win32')).toEqual({ count: 4, label: '4', tooltip: '4 unread messages', trayTitle: '', badgeCount: null, overlay: { description: '4 unread messages' } });
    expect(unreadBadge(0, 'win32').overlay).toBeNull();
  });

  it('applies only what changed, and clears what went to zero', () => {
    const t = { setTrayTitle: vi.fn(), setBadgeCount: vi.fn(), setOverlay: vi.fn() };
    const apply = badgeApplier(t);
    apply(unreadBadge(2, 'linux'));
    apply(unreadBadge(2, 'linux'));
    apply(unreadBadge(0, 'linux'));
    expect(t.setTrayTitle.mock.calls).toEqual([['2'], ['']]);
    expect(t.setBadgeCount.mock.calls).toEqual([[2], [0]]);
    expect(t.setOverlay).not.toHaveBeenCalled();
    const w = { setTrayTitle: vi.fn(), setBadgeCount: vi.fn(), setOverlay: vi.fn() };
    const applyWin = badgeApplier(w);
    applyWin(unreadBadge(5, 'win32'));
    applyWin(unreadBadge(5, 'win32'));
    applyWin(unreadBadge(0, 'win32'));
    expect(w.setOverlay.mock.calls).toEqual([[{ description: '5 unread messages' }], [null]]);
    expect(w.setBadgeCount).not.toHaveBeenCalled();
  });

  it('draws a round red dot: opaque centre, transparent corners', () => {
    const px = dotBitmap(16);
    expect(px.length).toBe(16 * 16 * 4);
    const at = (x: number, y: number) => [...px.subarray((y * 16 + x) * 4, (y * 16 + x) * 4 + 4)];
    expect(at(8, 8)).toEqual([0x2d, 0x2d, 0xd9, 255]);
    expect(at(0, 0)[3]).toBe(0);
    expect(at(15, 15)[3]).toBe(0);
  });
});
