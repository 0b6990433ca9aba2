// The installed app doubles as the session-store service (issue 12): `wa-bridge --session-store`
// (or resources/bin/session-store, which runs exactly that) serves session files instead of
// opening the window and the bridge. The fuses forbid running the app as plain Node, so this
// flag is the packaged way in. Its files default to a folder in the app's user data.
export const SESSION_STORE_FLAG = '--session-store';

export function wantsSessionStore(argv: readonly string[]): boolean {
  return argv.includes(SESSION_STORE_FLAG);
}
