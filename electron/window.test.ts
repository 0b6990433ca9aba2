// The Electron wiring of window.ts and tray.ts, with the electron module replaced by fakes
// (the Electron binary cannot run here): the checklist settings and the guards as attached.
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  const { EventEmitter: Emitter } = require('node:events') as typeof import('node:events');
  const state = {
    app: new Emitter(),
    opened: [] as string[],
    windows: [] as Array<{ options: any; url?: string; emitter: InstanceType<typeof Emitter> }>,
    trays: [] as any[],
  };
  class BrowserWindow extends Emitter {
    constructor(readonly options: any) {
      super();
      state.windows.push({ options, emitter: this });
    }
    loadURL(url: string) {
      state.windows.at(-1)!.url = url;
      return Promise.resolve();
    }
    show() {}
  }
  class Tray extends Emitter {
    tooltip = '';
    menu: any;
    constructor(readonly image: unknown) {
      super();
      state.trays.push(this);
    }
    setToolTip(t: string) {
      this.tooltip = t;
    }
    setContextMenu(m: unknown) {
      this.menu = m;
    }
    destroy() {}
  }
  return {
    state,
    module: {
      app: state.app,
      BrowserWindow,
      Tray,
      Menu: { buildFromTemplate: (t: unknown[]) => ({ items: t }) },
      nativeImage: { createFromPath: (p: string) => ({ path: p }) },
      shell: { openExternal: async (url: string) => void state.opened.push(url) },
    },
  };
});
vi.mock('electron', () => fake.module);

const { createMainWindow, guardAllWebContents, hardenSession } = await import('./window.js');
const { createTray } = await import('./tray.js');

const APP = 'http://127.0.0.1:3000';

beforeEach(() => {
  fake.state.opened.length = 0;
  fake.state.app.removeAllListeners();
});

function fakeContents() {
  const contents = new EventEmitter() as EventEmitter & { setWindowOpenHandler(h: (d: { url: string }) => unknown): void; openHandler?: (d: { url: string }) => unknown };
  contents.setWindowOpenHandler = (h) => (contents.openHandler = h);
  return contents;
}

function navigate(contents: EventEmitter, event: string, url: string): boolean {
  let prevented = false;
  contents.emit(event, { preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('main window', () => {
  it("follows Electron's security checklist and loads the bridge URL", () => {
    createMainWindow({ appUrl: APP, preloadPath: '/app/dist/electron/preload.cjs', show: true });
    const { options, url } = fake.state.windows.at(-1)!;
    expect(url).toBe(APP);
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/dist/electron/preload.cjs',
    });
    expect(JSON.stringify(options)).not.toMatch(/token/i); // the token never rides on the window
  });

  it('guards navigation, redirects, new windows and webviews of every web contents', async () => {
    guardAllWebContents(() => APP);
    const contents = fakeContents();
    fake.state.app.emit('web-contents-created', {}, contents);
    expect(navigate(contents, 'will-navigate', `${APP}/chats`)).toBe(false);
    expect(navigate(contents, 'will-navigate', 'https://example.org/help')).toBe(true);
    expect(navigate(contents, 'will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(navigate(contents, 'will-attach-webview', 'x')).toBe(true);
    expect(contents.openHandler!({ url: 'https://example.org/doc' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    await Promise.resolve();
    expect(fake.state.opened).toEqual(['https://example.org/help', 'https://example.org/doc']);
  });

  it('denies permissions by default and adds the CSP to bridge responses', () => {
    const handlers: Record<string, any> = {};
    const ses = {
      setPermissionRequestHandler: (h: any) => (handlers.request = h),
      setPermissionCheckHandler: (h: any) => (handlers.check = h),
      webRequest: { onHeadersReceived: (filter: any, h: any) => Object.assign(handlers, { filter, headers: h }) },
    };
    hardenSession(ses as never, APP);
    const answers: boolean[] = [];
    handlers.request({ getURL: () => APP }, 'media', (ok: boolean) => answers.push(ok), { requestingUrl: APP });
    handlers.request({ getURL: () => APP }, 'clipboard-sanitized-write', (ok: boolean) => answers.push(ok), { requestingUrl: `${APP}/` });
    expect(answers).toEqual([false, true]);
    expect(handlers.check(null, 'geolocation', APP)).toBe(false);
    expect(handlers.filter).toEqual({ urls: [`${APP}/*`] });
    let out: any;
    handlers.headers({ responseHeaders: { 'Content-Type': ['text/html'] } }, (r: unknown) => (out = r));
    expect(out.responseHeaders['Content-Security-Policy'][0]).toMatch(/script-src 'self'/);
  });
});

describe('tray', () => {
  it('shows the slot summary and follows status changes', () => {
    const autostart = { supported: true, enabled: false, isEnabled: () => autostart.enabled, setEnabled: (v: boolean) => void (autostart.enabled = v) };
    const actions = { open: vi.fn(), quit: vi.fn() };
    const tray = createTray({ iconPath: '/r/tray/tray.png', slots: 2, autostart, actions });
    const t = fake.state.trays.at(-1);
    expect(t.image).toEqual({ path: '/r/tray/tray.png' });
    expect(t.tooltip).toBe('WA Bridge: 0 of 2 ready');
    tray.setSlotState(1, 'READY');
    tray.seed([{ slot: 2, active: true, ready: false, hasQrCache: true, state: 'QR' }]);
    expect(t.tooltip).toBe('WA Bridge: 1 of 2 ready · 1 waiting for QR scan');
    const login = t.menu.items.find((i: any) => i.label === 'Start at login');
    login.click({ checked: true });
    expect(autostart.enabled).toBe(true);
    expect(t.menu.items.find((i: any) => i.label === 'Start at login').checked).toBe(true);
    t.emit('click');
    expect(actions.open).toHaveBeenCalled();
  });
});
