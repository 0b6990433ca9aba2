// Electron main process: wiring only. Every decision lives in a plain module beside this file.
import { app, clipboard, dialog, ipcMain, nativeImage, Notification, powerMonitor, safeStorage, session, shell, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import electronUpdater from 'electron-updater';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createBridge } from '../bridge/bridge.js';
import { ConfigError, ENV_NAMES, loadConfig } from '../bridge/config.js';
import { createLogger } from '../bridge/logger.js';
import type { Bridge } from '../bridge/types.js';
import { APP_ID, PRELOAD_FILE, PRODUCT_NAME, bridgeDataDir, bundledBrowserDir, logFile, rendererDir, trayIconPath, userDataDir, type Layout } from './app-paths.js';
import { linuxAutostart, linuxExecPath, xdgConfigHome, type Autostart } from './autostart.js';
import { IPC, type OpenChatPayload } from './ipc.js';
import { checkLinuxSandbox, readIfExists } from './linux-sandbox.js';
import { createQuitCoordinator, startupErrorMessage } from './lifecycle.js';
import { signInDesktop } from './desktop-session.js';
import { BridgeRunner } from './bridge-runner.js';
import { badgeApplier, dotBitmap, parseUnreadCount, unreadBadge } from './unread-badge.js';
import { isSafeExternalUrl, isTrustedSender } from './navigation.js';
import { notificationFor, type DesktopNotification } from './notifications.js';
import { isProtectedBackend, SecretStore, storageBackend } from './secrets.js';
import { sealSettingsSecrets } from './sealed-settings.js';
import { HIDDEN_FLAG, QUIT_FLAG, decideClose, loadShellState, saveShellState, startsHidden, type ShellState } from './shell-state.js';
import { createTray, type TrayController } from './tray.js';
import { AUTO_CHECK_EVERY_MS, UpdateController, sendingFromHealth, updateMenuItem, type UpdaterLike } from './updates.js';
import { createMainWindow, guardAllWebContents, hardenSession } from './window.js';
import { runSessionStore } from '../bridge/session-store/run.js';
import { updateSettingsHandlers, type UpdateSettingsHandlers } from './update-settings.js';
import { wantsSessionStore } from './session-store-mode.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// Pin userData to the product name before anything reads it (dev runs are named after package.json).
app.setPath('userData', userDataDir(app.getPath('appData')));
const userData = app.getPath('userData');
// Windows shows toasts only for an app with an AppUserModelId matching its Start-menu shortcut.
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
const log = createLogger('info', pino.destination({ dest: logFile(userData, 'desktop'), mkdir: true, sync: true }));

/** Runs the embedded bridge and restarts it in place (electron/bridge-runner.ts). */
let runner: BridgeRunner<Bridge> | undefined;
const currentBridge = (): Bridge | undefined => runner?.current;
let win: BrowserWindow | undefined;
let tray: TrayController | undefined;
/** The update switch, for Settings (IPC) and the tray alike; set once the bridge runs. */
let updateSettings: UpdateSettingsHandlers | undefined;
const liveNotifications = new Set<Notification>(); // held so click handlers are not collected

const quit = createQuitCoordinator({
  stop: async () => {
    tray?.destroy();
    await runner?.stop();
  },
  // A clean stop quits normally (so will-quit/quit run, e.g. electron-updater's install on quit).
  exit: (code) => (code === 0 ? app.quit() : app.exit(code)),
  onError: (err) => log.error({ err }, 'the bridge did not stop cleanly'),
});

function showWindow(): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

function notify(title: string, body: string, onClick?: () => void): void {
  if (!Notification.isSupported()) return;
  const n = new Notification({ title, body, silent: false });
  liveNotifications.add(n);
  n.on('click', () => {
    liveNotifications.delete(n);
    onClick?.();
  });
  n.on('close', () => liveNotifications.delete(n));
  n.show();
}

function showMessageNotification(note: DesktopNotification): void {
  notify(note.title, note.body, () => {
    showWindow();
    const payload: OpenChatPayload = { slot: note.slot, chatId: note.chatId };
    win?.webContents.send(IPC.openChat, payload);
  });
}

function loginItem(): Autostart & { supported: boolean } {
  if (process.platform === 'linux') {
    const home = xdgConfigHome(process.env, app.getPath('home'));
    return { ...linuxAutostart({ configHome: home, id: 'wa-bridge', name: PRODUCT_NAME, execPath: linuxExecPath(process.env, process.execPath) }), supported: true };
  }
  return {
    supported: true,
    isEnabled: () => app.getLoginItemSettings({ args: [HIDDEN_FLAG] }).openAtLogin,
    setEnabled: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_FLAG] }),
  };
}

/** The unread total in words, kept for a tray made again (a restart that changed the slot count). */
let unreadWords: string | null = null;
let unreadTitle = '';
const originOf = (url: string): string | null => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/** The unread badge beside the tray icon, on the dock/launcher, or (Windows) on the taskbar button. */
const applyBadge = badgeApplier({
  setTrayTitle: (title) => tray?.setTitle(title),
  setBadgeCount: (count) => void app.setBadgeCount(count),
  setOverlay: (overlay) => win?.setOverlayIcon(overlay ? nativeImage.createFromBitmap(dotBitmap(16), { width: 16, height: 16 }) : null, overlay?.description ?? ''),
});

/** Answer IPC only for the bridge's own top frame. */
function trusted(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  const b = currentBridge();
  return !!b && isTrustedSender(frame?.url, frame?.parent === null, b.url);
}

function registerIpc(): void {
  ipcMain.handle(IPC.signIn, async (event) => {
    if (!trusted(event)) throw new Error('not allowed');
    const b = currentBridge();
    if (!b) throw new Error('the bridge is restarting');
    await signInWindow(b); // the page gets a cookie it cannot read, never the token
  });
  ipcMain.handle(IPC.setUnreadCount, (event, value: unknown) => {
    if (!trusted(event)) throw new Error('not allowed');
    const count = parseUnreadCount(value);
    if (count === null) throw new Error('the unread count must be a whole number 0 or more');
    const badge = unreadBadge(count, process.platform);
    unreadWords = badge.tooltip;
    unreadTitle = badge.trayTitle;
    tray?.setUnread(badge.tooltip);
    applyBadge(badge);
  });
  ipcMain.handle(IPC.openExternal, async (event, url: unknown) => {
    if (!trusted(event)) throw new Error('not allowed');
    if (typeof url !== 'string' || !isSafeExternalUrl(url)) throw new Error('only http, https and mailto links can be opened');
    await shell.openExternal(url);
  });
  ipcMain.handle(IPC.secretStorageBackend, (event) => {
    if (!trusted(event)) throw new Error('not allowed');
    return storageBackend(process.platform, safeStorage);
  });
  const updatesReady = () => {
    if (!updateSettings) throw new Error('the app is still starting');
    return updateSettings;
  };
  ipcMain.handle(IPC.getUpdates, (event) => {
    if (!trusted(event)) throw new Error('not allowed');
    return updatesReady().get();
  });
  ipcMain.handle(IPC.setAutoUpdate, (event, enabled: unknown) => {
    if (!trusted(event)) throw new Error('not allowed');
    return updatesReady().setAutomatic(enabled);
  });
  ipcMain.handle(IPC.checkForUpdates, (event) => {
    if (!trusted(event)) throw new Error('not allowed');
    return updatesReady().checkNow();
  });
}

/** The window signs in by the session cookie, put in its jar here (electron/desktop-session.ts). */
function signInWindow(b: Bridge): Promise<void> {
  return signInDesktop({ bridgeUrl: b.url, adminToken: b.adminToken, cookies: session.defaultSession.cookies });
}

async function seedTray(b: Bridge): Promise<void> {
  try {
    const res = await fetch(`${b.url}/api/slots`, { headers: { apikey: b.adminToken } });
    if (res.ok) tray?.seed(await res.json());
  } catch (err) {
    log.warn({ err }, 'could not read the slots for the tray');
  }
}

/** Off unless desktop.json names a feed; installs only on the owner's click, once nothing is sending. */
function createUpdates(state: ShellState): UpdateController {
  const updates = new UpdateController({
    updater: electronUpdater.autoUpdater as unknown as UpdaterLike,
    sending: async () => {
      const b = currentBridge();
      if (!b) return true; // restarting: not a moment to install
      return sendingFromHealth(await (await fetch(`${b.url}/api/health`, { headers: { apikey: b.adminToken } })).json());
    },
    onChange: () => tray?.refresh(),
    log: (message, err) => log.warn({ err }, message),
  });
  if (updates.configure(state.updateUrl, app.isPackaged)) {
    if (state.autoUpdate) void updates.check();
    setInterval(() => state.autoUpdate && void updates.check(), AUTO_CHECK_EVERY_MS).unref(); // the switch is read each time
  }
  return updates;
}

/** Ubuntu 23.10+ may refuse the slots' browsers their sandbox: say which command fixes it. */
function explainSandboxProblem(): void {
  if (process.platform !== 'linux') return;
  const check = checkLinuxSandbox({ read: readIfExists, env: process.env });
  if (check.ok) return;
  log.warn({ why: check.why, command: check.command }, 'the browser sandbox cannot start');
  void dialog
    .showMessageBox({ type: 'warning', title: PRODUCT_NAME, message: 'The WhatsApp browsers cannot start their sandbox', detail: check.message, buttons: ['Copy the command', 'Close'], defaultId: 0 })
    .then(({ response }) => response === 0 && clipboard.writeText(check.command));
}

async function start(): Promise<void> {
  explainSandboxProblem();
  const layout: Layout = { isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appPath: app.getAppPath() };
  const shellState = loadShellState(userData);
  if (shellState.problem) log.warn(shellState.problem);

  const secrets = new SecretStore(userData, safeStorage, (m) => log.warn(m));
  const backend = storageBackend(process.platform, safeStorage);
  if (!isProtectedBackend(backend)) log.warn({ backend }, 'no OS keyring: secrets are stored without real protection');
  let adminToken = secrets.get('adminToken');
  if (!adminToken) {
    adminToken = randomBytes(32).toString('base64url');
    secrets.set('adminToken', adminToken);
  }
  // The key that encrypts session snapshots: sealed like the admin token (issue 12).
  let sessionKey = secrets.get('sessionKey');
  if (!sessionKey) {
    sessionKey = randomBytes(32).toString('base64');
    secrets.set('sessionKey', sessionKey);
  }
  const dataDir = bridgeDataDir(userData);
  const bridgeLog = pino.destination({ dest: logFile(userData, 'bridge'), mkdir: true, sync: true });
  /** The settings as they are now (read again for every restart: Settings may have changed them). */
  const readConfig = () => {
    const sealed = sealSettingsSecrets(dataDir, secrets);
    for (const problem of sealed.problems) log.warn(problem);
    const envToken = process.env[ENV_NAMES.adminToken];
    return loadConfig(process.env, {
      dataDir,
      bundledBrowserDir: bundledBrowserDir(layout),
      ...(envToken ? {} : { adminToken }),
      ...(process.env[ENV_NAMES.sessionKey] ? {} : { sessionKey }),
      ...sealed.overrides,
    });
  };
  let config = readConfig();
  let shellWindow: BrowserWindow | undefined;
  runner = new BridgeRunner<Bridge>({
    create: (onRestart) => createBridge(config, { rendererDir: rendererDir(layout), logDestination: bridgeLog, onRestart }),
    // After "Restart the bridge": the window, tray and notifications follow the new bridge.
    started: async (next, restarted) => {
      if (restarted && shellWindow) await rewire(next, shellWindow);
    },
    failed: (err) => {
      log.fatal({ err }, 'the bridge did not start again after a restart');
      dialog.showErrorBox(PRODUCT_NAME, `${startupErrorMessage(err, PRODUCT_NAME, err instanceof ConfigError)}\n\nDetails are in ${logFile(userData, 'desktop')}.`);
      app.exit(1);
    },
    // Settings may have changed what the next bridge runs with; unusable ones keep this bridge running.
    beforeRestart: () => {
      config = readConfig();
    },
    log: (message) => log.info(message),
  });
  const b = await runner.start();
  log.info({ url: b.url }, 'bridge started');

  hardenSession(session.defaultSession, b.url);
  registerIpc();
  // Signed in before the page loads; should it fail, the page asks again through the preload.
  await signInWindow(b).catch((err: unknown) => log.warn({ err }, 'desktop sign-in failed'));

  const hidden = startsHidden(process.argv, process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
  const mainWindow = createMainWindow({ appUrl: b.url, preloadPath: path.join(here, PRELOAD_FILE), show: !hidden });
  shellWindow = mainWindow;
  win = mainWindow;
  mainWindow.on('close', (event) => {
    const decision = decideClose(quit.quitting, shellState.state);
    if (!decision.hide) return;
    event.preventDefault();
    mainWindow.hide();
    if (decision.showNotice) {
      notify(PRODUCT_NAME, `${PRODUCT_NAME} keeps running in the tray so your phones stay connected. Quit it from the tray icon.`);
      shellState.state.closeNoticeShown = true;
      saveShellState(userData, shellState.state);
    }
  });

  const updates = createUpdates(shellState.state);
  updateSettings = updateSettingsHandlers({
    status: () => updates.status,
    automatic: () => shellState.state.autoUpdate,
    saveAutomatic: (enabled) => {
      shellState.state.autoUpdate = enabled;
      saveShellState(userData, shellState.state);
    },
    check: () => void updates.check(),
    changed: () => tray?.refresh(),
  });
  const switches = updateSettings;
  const makeTray = (slots: number) => createTray({
    iconPath: trayIconPath(layout, process.platform),
    slots,
    autostart: loginItem(),
    actions: { open: showWindow, quit: () => app.quit() },
    updates: () => ({
      item: updateMenuItem(updates.status),
      configured: updates.status !== 'off',
      automatic: shellState.state.autoUpdate,
      check: () => void updates.check(),
      install: () => void updates.installWhenIdle(),
      toggleAutomatic: (enabled) => void switches.setAutomatic(enabled),
    }),
  });
  tray = makeTray(config.slots);
  let traySlots = config.slots;
  log.info('tray created');
  const listen = (bridgeNow: Bridge, w: BrowserWindow) =>
    bridgeNow.onEvent((event) => {
      if (event.type === 'status') tray?.setSlotState(event.slot, event.state);
      const note = notificationFor(event, { visible: w.isVisible() && !w.isMinimized(), focused: w.isFocused() });
      if (note) showMessageNotification(note);
    });
  listen(b, mainWindow);
  void seedTray(b);

  /** The shell follows a restarted bridge: its address (PORT may have changed), sign-in, tray, events. */
  const rewire = async (next: Bridge, w: BrowserWindow): Promise<void> => {
    const moved = originOf(w.webContents.getURL()) !== originOf(next.url);
    if (moved) hardenSession(session.defaultSession, next.url);
    await signInWindow(next).catch((err: unknown) => log.warn({ err }, 'desktop sign-in failed after the restart'));
    if (moved) void w.loadURL(next.url);
    if (config.slots !== traySlots) {
      tray?.destroy();
      tray = makeTray(config.slots);
      tray.setUnread(unreadWords);
      tray.setTitle(unreadTitle);
      traySlots = config.slots;
    }
    listen(next, w);
    void seedTray(next);
  };

  // The OS is going down: stop the slots cleanly instead of being killed mid-write.
  // (Electron passes an event here although its typings declare none.)
  const onShutdown = (event?: { preventDefault(): void }): void => {
    event?.preventDefault();
    app.quit();
  };
  powerMonitor.on('shutdown', onShutdown);
  mainWindow.on('session-end', () => app.quit()); // Windows log-off / shutdown
  powerMonitor.on('resume', () => log.info('resumed from sleep; the slot watchdogs reconnect what dropped'));
}

if (wantsSessionStore(process.argv)) {
  // `wa-bridge --session-store`: the session-store service only (no window, no bridge, no lock).
  app.dock?.hide();
  runSessionStore({ env: process.env, defaultDir: path.join(userData, 'session-store'), exit: (code) => app.exit(code) });
} else if (!app.requestSingleInstanceLock()) {
  app.quit(); // the running instance gets 'second-instance' and shows itself (or quits, given --quit)
} else {
  app.on('second-instance', (_event, argv) => (argv.includes(QUIT_FLAG) ? app.quit() : showWindow()));
  // A service manager or `kill` asks politely: stop the slots cleanly, as the tray's Quit does.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => app.quit());
  app.on('activate', showWindow); // macOS dock click
  app.on('window-all-closed', () => {}); // live on in the tray
  app.on('before-quit', (event) => {
    if (quit.beforeQuit()) event.preventDefault();
  });
  guardAllWebContents(() => currentBridge()?.url ?? 'http://127.0.0.1');
  app
    .whenReady()
    .then(start)
    .catch(async (err: unknown) => {
      log.fatal({ err }, 'start-up failed');
      const message = startupErrorMessage(err, PRODUCT_NAME, err instanceof ConfigError);
      dialog.showErrorBox(PRODUCT_NAME, `${message}\n\nDetails are in ${logFile(userData, 'desktop')}.`);
      await runner?.stop().catch(() => {}); // a half-started bridge may already run browsers
      app.exit(1);
    });
}
