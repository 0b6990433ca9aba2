// The preload: the only bridge between the sandboxed renderer and the main process.
// Sandboxed preloads are CommonJS and may only require('electron'), so this file is
// self-contained. It exposes exactly `window.waBridge` and nothing else.
import type { ContextBridge, IpcRenderer, IpcRendererEvent } from 'electron';

export const CHANNELS = {
  signIn: 'wa-bridge:sign-in',
  openExternal: 'wa-bridge:open-external',
  secretStorageBackend: 'wa-bridge:secret-storage-backend',
  openChat: 'wa-bridge:open-chat',
  getUpdates: 'wa-bridge:get-updates',
  setAutoUpdate: 'wa-bridge:set-auto-update',
  checkForUpdates: 'wa-bridge:check-for-updates',
  setUnreadCount: 'wa-bridge:set-unread-count',
} as const;

/** The update switch and status Settings shows (electron/update-settings.ts). */
export interface UpdateSettings {
  configured: boolean;
  automatic: boolean;
  status: string;
}

/** What the renderer sees as `window.waBridge`. */
export interface WaBridgeApi {
  /** Sign the page in: the main process exchanges its admin token for the session cookie (the token never reaches the page). */
  signIn(): Promise<void>;
  platform: string;
  openExternal(url: string): Promise<void>;
  onOpenChat(cb: (slot: number, chatId: string) => void): () => void;
  secretStorageBackend(): Promise<string>;
  updates(): Promise<UpdateSettings>;
  setAutoUpdate(enabled: boolean): Promise<UpdateSettings>;
  checkForUpdates(): Promise<UpdateSettings>;
  /** The unread total the page shows (window title): the shell puts it on the tray, dock or taskbar. */
  setUnreadCount(count: number): void;
}

type Invoker = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

/** Build the API object; every call goes through a fixed channel, never a raw ipcRenderer. */
export function buildWaBridgeApi(ipc: Invoker, platform: string): WaBridgeApi {
  return Object.freeze({
    platform,
    signIn: async (): Promise<void> => {
      await ipc.invoke(CHANNELS.signIn);
    },
    openExternal: async (url: string): Promise<void> => {
      if (typeof url !== 'string') throw new TypeError('openExternal needs a URL string');
      await ipc.invoke(CHANNELS.openExternal, url);
    },
    onOpenChat: (cb: (slot: number, chatId: string) => void): (() => void) => {
      if (typeof cb !== 'function') throw new TypeError('onOpenChat needs a callback');
      // The event object (with its sender) is never handed to the page.
      const listener = (_event: IpcRendererEvent, payload: unknown): void => {
        const p = payload as { slot?: unknown; chatId?: unknown } | null;
        if (p && typeof p.slot === 'number' && typeof p.chatId === 'string') cb(p.slot, p.chatId);
      };
      ipc.on(CHANNELS.openChat, listener);
      return () => {
        ipc.removeListener(CHANNELS.openChat, listener);
      };
    },
    secretStorageBackend: async (): Promise<string> => String(await ipc.invoke(CHANNELS.secretStorageBackend)),
    updates: async (): Promise<UpdateSettings> => (await ipc.invoke(CHANNELS.getUpdates)) as UpdateSettings,
    setAutoUpdate: async (enabled: boolean): Promise<UpdateSettings> => {
      if (typeof enabled !== 'boolean') throw new TypeError('setAutoUpdate needs true or false');
      return (await ipc.invoke(CHANNELS.setAutoUpdate, enabled)) as UpdateSettings;
    },
    checkForUpdates: async (): Promise<UpdateSettings> => (await ipc.invoke(CHANNELS.checkForUpdates)) as UpdateSettings,
    setUnreadCount: (count: number): void => {
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new TypeError('setUnreadCount needs a whole number 0 or more');
      ipc.invoke(CHANNELS.setUnreadCount, count).catch(() => undefined); // a badge is best effort
    },
  });
}

export function exposeWaBridge(bridge: Pick<ContextBridge, 'exposeInMainWorld'>, ipc: Invoker, platform: string): void {
  bridge.exposeInMainWorld('waBridge', buildWaBridgeApi(ipc, platform));
}

// Only inside Electron's renderer: under Node (tests) `process.type` is undefined.
if ((process as { type?: string }).type === 'renderer') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const electron = require('electron') as typeof import('electron');
  exposeWaBridge(electron.contextBridge, electron.ipcRenderer, process.platform);
}
