// The update switch as the admin app's Settings sees it (issue 17), and the tray too: one set of
// handlers behind the IPC channels, so the switch lives in one place and runs under Node in tests.
import type { UpdateStatus } from './updates.js';

/** What Settings shows: whether a feed is configured, the switch, and where an update stands. */
export interface UpdateSettings {
  configured: boolean;
  automatic: boolean;
  status: UpdateStatus;
}

export interface UpdateSettingsDeps {
  status(): UpdateStatus;
  /** desktop.json's `autoUpdate` (read each time: the tray may have changed it). */
  automatic(): boolean;
  /** Persist the switch (desktop.json). */
  saveAutomatic(enabled: boolean): void;
  check(): void;
  /** Tell the other surface (the tray menu) that something changed. */
  changed(): void;
}

export interface UpdateSettingsHandlers {
  get(): UpdateSettings;
  setAutomatic(enabled: unknown): UpdateSettings;
  checkNow(): UpdateSettings;
}

export function updateSettingsHandlers(deps: UpdateSettingsDeps): UpdateSettingsHandlers {
  const get = (): UpdateSettings => {
    const status = deps.status();
    return { configured: status !== 'off', automatic: deps.automatic(), status };
  };
  return {
    get,
    setAutomatic(enabled) {
      if (typeof enabled !== 'boolean') throw new TypeError('automatic updates: expected true or false');
      deps.saveAutomatic(enabled);
      // Turned on: look now rather than in six hours.
      if (enabled && deps.status() !== 'off') deps.check();
      deps.changed();
      return get();
    },
    checkNow() {
      if (deps.status() !== 'off') deps.check();
      return get();
    },
  };
}
