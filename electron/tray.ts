// The tray icon: a status summary that follows the slots and the unread total, Open, Start at
// login, Quit.
import { Menu, Tray, nativeImage } from 'electron';
import { SlotBoard, buildTrayMenu, summarizeSlots, withUnread, type TrayMenuActions, type TrayUpdates } from './tray-summary.js';
import type { Autostart } from './autostart.js';

export interface TrayController {
  /** Record a slot's state; the menu is rebuilt when it changed. */
  setSlotState(slot: number, state: string): void;
  seed(rows: unknown): void;
  /** Rebuild the menu (e.g. the update status changed). */
  refresh(): void;
  /** The unread total in words (tooltip and menu), null for none (electron/unread-badge.ts). */
  setUnread(words: string | null): void;
  /** Text beside the icon (macOS, Linux); '' clears it. */
  setTitle(title: string): void;
  destroy(): void;
}

export function createTray(opts: {
  iconPath: string;
  slots: number;
  autostart: Autostart & { supported: boolean };
  actions: Pick<TrayMenuActions, 'open' | 'quit'>;
  /** Read at each rebuild, so it always shows the current update status. */
  updates?: () => TrayUpdates;
}): TrayController {
  const image = nativeImage.createFromPath(opts.iconPath);
  const tray = new Tray(image);
  const board = new SlotBoard(opts.slots);
  let unread: string | null = null;

  const render = (): void => {
    const summary = withUnread(summarizeSlots(board.list()), unread);
    tray.setToolTip(summary.tooltip);
    const menu = buildTrayMenu(
      summary,
      { openAtLogin: opts.autostart.isEnabled(), supported: opts.autostart.supported },
      {
        ...opts.actions,
        toggleOpenAtLogin: (enabled) => {
          opts.autostart.setEnabled(enabled);
          render();
        },
      },
      opts.updates?.(),
    );
    tray.setContextMenu(Menu.buildFromTemplate(menu));
  };

  tray.on('click', () => opts.actions.open());
  render();
  return {
    setSlotState: (slot, state) => {
      if (board.set(slot, state)) render();
    },
    seed: (rows) => {
      if (board.seed(rows)) render();
    },
    refresh: render,
    setUnread: (words) => {
      if (words === unread) return;
      unread = words;
      render();
    },
    setTitle: (title) => tray.setTitle(title),
    destroy: () => tray.destroy(),
  };
}
