// Self-update through electron-updater, off until configured: a feed URL in desktop.json
// (`updateUrl`, e.g. a GitHub release's …/releases/latest/download/). With a feed, the tray
// offers "Check for updates" and an "Automatic updates" switch (checks at start and every few
// hours). An update is installed only by the owner's "Restart to update", and never while a
// slot is sending: the restart waits until the outbox is empty.
export type UpdateStatus = 'off' | 'idle' | 'checking' | 'downloading' | 'ready' | 'waiting-for-sends' | 'error';

/** The part of electron-updater's autoUpdater used here (a fake in tests). */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'update-available' | 'update-not-available' | 'update-downloaded' | 'error', listener: (arg?: unknown) => void): unknown;
}

export interface UpdateDeps {
  updater: UpdaterLike;
  /** True while messages wait in the bridge's outbox (being sent or queued). */
  sending: () => Promise<boolean>;
  onChange: (status: UpdateStatus) => void;
  log: (message: string, err?: unknown) => void;
  wait?: (ms: number) => Promise<void>;
}

export const AUTO_CHECK_EVERY_MS = 6 * 60 * 60 * 1000;

/** "Sending" from /api/health's body: anything in the outbox. Unknown counts as sending (never restart blind). */
export function sendingFromHealth(body: unknown): boolean {
  const outbox = (body as { outbox?: unknown } | null)?.outbox;
  if (typeof outbox === 'number') return outbox > 0;
  if (outbox && typeof outbox === 'object') return Object.values(outbox).some((v) => typeof v === 'number' && v > 0);
  return true;
}

export interface UpdateMenuItem {
  label: string;
  enabled: boolean;
  action: 'check' | 'install' | null;
}

export function updateMenuItem(status: UpdateStatus): UpdateMenuItem {
  switch (status) {
    case 'off':
      return { label: 'Check for updates (no update feed set)', enabled: false, action: null };
    case 'checking':
      return { label: 'Checking for updates…', enabled: false, action: null };
    case 'downloading':
      return { label: 'Downloading update…', enabled: false, action: null };
    case 'ready':
      return { label: 'Restart to update', enabled: true, action: 'install' };
    case 'waiting-for-sends':
      return { label: 'Update waits for messages to be sent…', enabled: false, action: null };
    default:
      return { label: 'Check for updates', enabled: true, action: 'check' };
  }
}

export class UpdateController {
  #status: UpdateStatus = 'off';
  readonly #wait: (ms: number) => Promise<void>;

  constructor(private readonly deps: UpdateDeps) {
    this.#wait = deps.wait ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get status(): UpdateStatus {
    return this.#status;
  }

  #set(status: UpdateStatus): void {
    this.#status = status;
    this.deps.onChange(status);
  }

  /** Point the updater at a feed (nothing happens without one). Returns false when it stays off. */
  configure(url: string | undefined, isPackaged: boolean): boolean {
    if (!url || !isPackaged) return false;
    const { updater } = this.deps;
    updater.autoDownload = true;
    updater.autoInstallOnAppQuit = false; // installing is the owner's choice, and waits for sends
    updater.setFeedURL({ provider: 'generic', url });
    updater.on('update-available', () => this.#set('downloading'));
    updater.on('update-not-available', () => this.#set('idle'));
    updater.on('update-downloaded', () => this.#set('ready'));
    updater.on('error', (err) => {
      this.deps.log('update failed', err);
      this.#set('error');
    });
    this.#set('idle');
    return true;
  }

  async check(): Promise<void> {
    if (this.#status === 'off' || this.#status === 'checking' || this.#status === 'downloading' || this.#status === 'ready' || this.#status === 'waiting-for-sends') return;
    this.#set('checking');
    try {
      await this.deps.updater.checkForUpdates();
    } catch (err) {
      this.deps.log('update check failed', err);
      this.#set('error');
    }
  }

  /** Restart into the downloaded update once nothing is being sent. */
  async installWhenIdle(pollMs = 2000): Promise<void> {
    if (this.#status !== 'ready') return;
    this.#set('waiting-for-sends');
    while (await this.deps.sending().catch(() => true)) await this.#wait(pollMs);
    this.deps.updater.quitAndInstall(false, true);
  }
}
