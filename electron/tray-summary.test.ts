import { describe, expect, it, vi } from 'vitest';
import { SlotBoard, buildTrayMenu, summarizeSlots, withUnread } from './tray-summary.js';
import { updateMenuItem } from './updates.js';

describe('SlotBoard', () => {
  it('starts with every slot off and follows status events', () => {
    const board = new SlotBoard(3);
    expect(board.list()).toEqual([
      { slot: 1, state: 'STOPPED' },
      { slot: 2, state: 'STOPPED' },
      { slot: 3, state: 'STOPPED' },
    ]);
    expect(board.set(2, 'READY')).toBe(true);
    expect(board.set(2, 'READY')).toBe(false);
    expect(board.list()[1]).toEqual({ slot: 2, state: 'READY' });
  });

  it('ignores slots out of range and unknown states', () => {
    const board = new SlotBoard(2);
    expect(board.set(0, 'READY')).toBe(false);
    expect(board.set(3, 'READY')).toBe(false);
    expect(board.set(1.5, 'READY')).toBe(false);
    expect(board.set(1, 'SLEEPING')).toBe(false);
    expect(board.list().every((s) => s.state === 'STOPPED')).toBe(true);
  });

  it('rejects a bad slot count', () => {
    expect(() => new SlotBoard(0)).toThrow(RangeError);
  });

  it('seeds from GET /api/slots rows, with or without a state field', () => {
    const board = new SlotBoard(3);
    expect(
      board.seed([
        { slot: 1, active: true, ready: true, hasQrCache: false },
        { slot: 2, active: true, ready: false, hasQrCache: true, state: 'QR' },
        { slot: 3, active: false, ready: false, hasQrCache: false },
        { nonsense: true },
      ]),
    ).toBe(true);
    expect(board.list().map((s) => s.state)).toEqual(['READY', 'QR', 'STOPPED']);
    expect(board.seed({ not: 'an array' })).toBe(false);
  });
});

describe('summarizeSlots', () => {
  it('counts ready slots and names what needs the owner', () => {
    const s = summarizeSlots([
      { slot: 1, state: 'READY' },
      { slot: 2, state: 'READY' },
      { slot: 3, state: 'QR' },
      { slot: 4, state: 'RECONNECTING' },
      { slot: 5, state: 'FAILED' },
      { slot: 6, state: 'STOPPED' },
    ]);
    expect(s.headline).toBe('2 of 6 ready · 1 waiting for QR scan · 1 connecting · 1 failed');
    expect(s.tooltip).toBe('WA Bridge: 2 of 6 ready · 1 waiting for QR scan · 1 connecting · 1 failed');
    expect(s.lines).toEqual([
      'Slot 1: ready',
      'Slot 2: ready',
      'Slot 3: waiting for QR scan',
      'Slot 4: reconnecting',
      'Slot 5: failed (open the app)',
      'Slot 6: off',
    ]);
    expect(s.needsAttention).toBe(true);
  });

  it('is calm when all is well', () => {
    const s = summarizeSlots([
      { slot: 1, state: 'READY' },
      { slot: 2, state: 'STOPPED' },
    ]);
    expect(s.headline).toBe('1 of 2 ready');
    expect(s.needsAttention).toBe(false);
  });
});

describe('buildTrayMenu', () => {
  const summary = summarizeSlots([{ slot: 1, state: 'READY' }]);
  const click = (item: { click?: unknown }, checked?: boolean) => (item.click as (m: { checked?: boolean }) => void)({ checked });

  it('offers Check for updates and the Automatic updates switch, greyed out without a feed', () => {
    const actions = { open: vi.fn(), toggleOpenAtLogin: vi.fn(), quit: vi.fn() };
    const updates = { item: updateMenuItem('idle'), configured: true, automatic: true, check: vi.fn(), install: vi.fn(), toggleAutomatic: vi.fn() };
    const menu = buildTrayMenu(summary, { openAtLogin: false, supported: true }, actions, updates);
    expect(menu.map((m) => m.label ?? m.type)).toEqual(['1 of 1 ready', 'Slot 1: ready', 'separator', 'Open WA Bridge', 'Start at login', 'Check for updates', 'Automatic updates', 'separator', 'Quit']);
    click(menu.find((m) => m.label === 'Check for updates')!);
    expect(updates.check).toHaveBeenCalled();
    click(menu.find((m) => m.label === 'Automatic updates')!, false);
    expect(updates.toggleAutomatic).toHaveBeenCalledWith(false);

    const ready = buildTrayMenu(summary, { openAtLogin: false, supported: true }, actions, { ...updates, item: updateMenuItem('ready') });
    click(ready.find((m) => m.label === 'Restart to update')!);
    expect(updates.install).toHaveBeenCalled();

    const off = buildTrayMenu(summary, { openAtLogin: false, supported: true }, actions, { ...updates, item: updateMenuItem('off'), configured: false });
    expect(off.find((m) => m.label?.startsWith('Check for updates'))).toMatchObject({ enabled: false });
    expect(off.find((m) => m.label === 'Automatic updates')).toMatchObject({ enabled: false, checked: false });
  });

  it('lists the summary, then Open, Start at login and Quit, wired to the actions', () => {
    const actions = { open: vi.fn(), toggleOpenAtLogin: vi.fn(), quit: vi.fn() };
    const menu = buildTrayMenu(summary, { openAtLogin: true, supported: true }, actions);
    expect(menu.map((m) => m.label ?? m.type)).toEqual(['1 of 1 ready', 'Slot 1: ready', 'separator', 'Open WA Bridge', 'Start at login', 'separator', 'Quit']);
    expect(menu[0]!.enabled).toBe(false);
    const login = menu.find((m) => m.label === 'Start at login')!;
    expect(login).toMatchObject({ type: 'checkbox', checked: true, enabled: true });
    login.click!({ checked: false } as never, undefined as never, undefined as never);
    expect(actions.toggleOpenAtLogin).toHaveBeenCalledWith(false);
    menu.find((m) => m.label === 'Open WA Bridge')!.click!(undefined as never, undefined as never, undefined as never);
    menu.find((m) => m.label === 'Quit')!.click!(undefined as never, undefined as never, undefined as never);
    expect(actions.open).toHaveBeenCalledTimes(1);
    expect(actions.quit).toHaveBeenCalledTimes(1);
  });

  it('greys out Start at login where the OS offers none', () => {
    const menu = buildTrayMenu(summary, { openAtLogin: false, supported: false }, { open() {}, toggleOpenAtLogin() {}, quit() {} });
    expect(menu.find((m) => m.label === 'Start at login')).toMatchObject({ checked: false, enabled: false });
  });
});

describe('withUnread', () => {
  it('puts the unread words first in the menu and last in the tooltip; nothing unread changes nothing', () => {
    const summary = summarizeSlots([{ slot: 1, state: 'READY' }]);
    expect(withUnread(summary, null)).toBe(summary);
    const shown = withUnread(summary, '3 unread messages');
    expect(shown.headline).toBe('3 unread messages · 1 of 1 ready');
    expect(shown.tooltip).toBe('WA Bridge: 1 of 1 ready · 3 unread messages');
    expect(shown.lines).toEqual(summary.lines);
  });
});
