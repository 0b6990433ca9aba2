// What the Electron preload exposes. Absent in a plain browser.
export interface WaBridgeShell {
  /** Sign this page in: the shell exchanges its admin token for the session cookie itself. */
  signIn(): Promise<void>;
  platform: string;
  openExternal(url: string): Promise<void>;
  /** A notification was clicked: open that chat. Returns an unsubscribe function. */
  onOpenChat(cb: (slot: number, chatId: string) => void): () => void;
  secretStorageBackend(): Promise<string>;
  /** The update switch and status (Settings → Updates); only in the desktop app. */
  updates(): Promise<DesktopUpdates>;
  setAutoUpdate(enabled: boolean): Promise<DesktopUpdates>;
  checkForUpdates(): Promise<DesktopUpdates>;
  /** The unread total for the tray/dock/taskbar badge (absent in shells older than this page). */
  setUnreadCount?(count: number): void;
}

export interface DesktopUpdates {
  /** An update feed is set (desktop.json `updateUrl`); without one nothing is ever checked. */
  configured: boolean;
  automatic: boolean;
  status: 'off' | 'idle' | 'checking' | 'downloading' | 'ready' | 'waiting-for-sends' | 'error';
}

declare global {
  interface Window {
    waBridge?: WaBridgeShell;
  }
}
