// The desktop shell's own small settings file (<userData>/desktop.json): things the bridge
// does not know about. A damaged file is replaced by defaults, never a crash at start-up.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../bridge/files.js';

export const SHELL_STATE_FILE = 'desktop.json';

const schema = z.object({
  /** The "still running in the tray" notice was shown once. */
  closeNoticeShown: z.boolean().default(false),
  /** electron-updater generic feed; unset = no update checks (the default). */
  updateUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** With a feed: check at start and every few hours (the tray's "Automatic updates" switch). */
  autoUpdate: z.boolean().default(true),
});

export type ShellState = z.infer<typeof schema>;

export interface LoadedState {
  state: ShellState;
  /** Why the file was ignored, if it was. */
  problem?: string;
}

export function loadShellState(dir: string): LoadedState {
  const file = path.join(dir, SHELL_STATE_FILE);
  let raw: unknown = {};
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: schema.parse({}) };
    return { state: schema.parse({}), problem: `${file}: ${(err as Error).message}; using defaults` };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { state: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { state: schema.parse({}), problem: `${file}: "${issue.path.join('.')}" ${issue.message}; using defaults` };
}

export function saveShellState(dir: string, state: ShellState): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, SHELL_STATE_FILE);
  writeJsonAtomic(file, schema.parse(state));
}

export interface CloseDecision {
  /** Keep the app running: cancel the close and hide the window. */
  hide: boolean;
  /** Tell the owner (once ever) that the app lives on in the tray. */
  showNotice: boolean;
}

/** What closing the window does: hide to the tray unless the app is quitting. */
export function decideClose(quitting: boolean, state: Pick<ShellState, 'closeNoticeShown'>): CloseDecision {
  if (quitting) return { hide: false, showNotice: false };
  return { hide: true, showNotice: !state.closeNoticeShown };
}

/** Started by the OS at login: stay in the tray instead of opening the window. */
export function startsHidden(argv: readonly string[], wasOpenedAtLogin: boolean): boolean {
  return wasOpenedAtLogin || argv.includes(HIDDEN_FLAG);
}

export const HIDDEN_FLAG = '--hidden';
/** `wa-bridge --quit` asks the running instance to quit cleanly (scripts, the release smoke test). */
export const QUIT_FLAG = '--quit';
