import { describe, expect, it, vi } from 'vitest';
import { updateSettingsHandlers, type UpdateSettingsDeps } from './update-settings.js';
import type { UpdateStatus } from './updates.js';

function deps(status: UpdateStatus = 'idle', automatic = true) {
  const state = { status, automatic };
  const d = {
    status: () => state.status,
    automatic: () => state.automatic,
    saveAutomatic: vi.fn((enabled: boolean) => void (state.automatic = enabled)),
    check: vi.fn(),
    changed: vi.fn(),
  } satisfies UpdateSettingsDeps;
  return { d, state };
}

describe('update settings (the admin app’s switch and the tray’s)', () => {
  it('reports the feed, the switch and the status', () => {
    expect(updateSettingsHandlers(deps('idle', true).d).get()).toEqual({ configured: true, automatic: true, status: 'idle' });
    expect(updateSettingsHandlers(deps('off', false).d).get()).toEqual({ configured: false, automatic: false, status: 'off' });
    expect(updateSettingsHandlers(deps('ready').d).get().status).toBe('ready');
  });

  it('switching off saves it and tells the tray; switching on also checks now', () => {
    const { d, state } = deps('idle', true);
    const h = updateSettingsHandlers(d);
    expect(h.setAutomatic(false)).toEqual({ configured: true, automatic: false, status: 'idle' });
    expect(state.automatic).toBe(false);
    expect(d.check).not.toHaveBeenCalled();
    expect(d.changed).toHaveBeenCalledTimes(1);
    expect(h.setAutomatic(true).automatic).toBe(true);
    expect(d.saveAutomatic).toHaveBeenLastCalledWith(true);
    expect(d.check).toHaveBeenCalledTimes(1);
    expect(d.changed).toHaveBeenCalledTimes(2);
  });

  it('without a feed the switch is still saved, but nothing is checked', () => {
    const { d } = deps('off', false);
    const h = updateSettingsHandlers(d);
    expect(h.setAutomatic(true)).toEqual({ configured: false, automatic: true, status: 'off' });
    h.checkNow();
    expect(d.check).not.toHaveBeenCalled();
  });

  it('refuses anything but a boolean from the page', () => {
    const { d } = deps();
    const h = updateSettingsHandlers(d);
    for (const bad of ['true', 1, null, undefined, {}]) expect(() => h.setAutomatic(bad)).toThrow(/expected true or false/);
    expect(d.saveAutomatic).not.toHaveBeenCalled();
  });

  it('check now asks the updater', () => {
    const { d } = deps('idle');
    updateSettingsHandlers(d).checkNow();
    expect(d.check).toHaveBeenCalledTimes(1);
  });
});
