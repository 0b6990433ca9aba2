// What the Electron preload exposes. Absent in a plain browser.
export interface WaBridgeShell {
  getAdminToken(): Promise<string>;
  platform: string;
  openExternal(url: string): Promise<void>;
  /** A notification was clicked: open that chat. Returns an unsubscribe function. */
  onOpenChat(cb: (slot: number, chatId: string) => void): () => void;
  secretStorageBackend(): Promise<string>;
}

declare global {
  interface Window {
    waBridge?: WaBridgeShell;
  }
}
