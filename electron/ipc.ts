// IPC channel names between the main process and the preload. The sandboxed preload cannot
// import this file at run time, so it repeats the names; ipc.test.ts keeps the two in step.
export const IPC = {
  signIn: 'wa-bridge:sign-in',
  openExternal: 'wa-bridge:open-external',
  secretStorageBackend: 'wa-bridge:secret-storage-backend',
  openChat: 'wa-bridge:open-chat',
  getUpdates: 'wa-bridge:get-updates',
  setAutoUpdate: 'wa-bridge:set-auto-update',
  checkForUpdates: 'wa-bridge:check-for-updates',
  setUnreadCount: 'wa-bridge:set-unread-count',
} as const;

/** Payload of IPC.openChat (main → renderer). */
export interface OpenChatPayload {
  slot: number;
  chatId: string;
}
