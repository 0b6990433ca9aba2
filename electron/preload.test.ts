// The preload is compiled as Electron's sandbox gets it (CommonJS) and run inside a wrapper like
// Electron's: only `require`, `process`, `exports` and `module` exist, and `require` answers
// 'electron' alone. So the test sees exactly what a renderer page would see.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { IPC } from './ipc.js';

const SOURCE = fs.readFileSync(fileURLToPath(new URL('./preload.cts', import.meta.url)), 'utf8');
const COMPILED = ts.transpileModule(SOURCE, {
  fileName: 'preload.cts',
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
}).outputText;

function fakeIpc(answers: Record<string, unknown> = {}) {
  const emitter = new EventEmitter();
  return {
    emitter,
    invoke: vi.fn(async (channel: string, ..._args: unknown[]) => answers[channel]),
    on: vi.fn((channel: string, listener: (...args: any[]) => void) => void emitter.on(channel, listener)),
    removeListener: vi.fn((channel: string, listener: (...args: any[]) => void) => void emitter.removeListener(channel, listener)),
  };
}

/** Run the preload like Electron's sandboxed renderer does; returns what it exposed and required. */
function runPreload(opts: { type?: string; platform?: string; answers?: Record<string, unknown> } = {}) {
  const ipc = fakeIpc(opts.answers);
  const exposed: Record<string, any> = {};
  const required: string[] = [];
  const contextBridge = { exposeInMainWorld: vi.fn((key: string, api: unknown) => void (exposed[key] = api)) };
  const fakeRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return { contextBridge, ipcRenderer: ipc };
    throw new Error(`module not found: ${name}`);
  };
  const module = { exports: {} as Record<string, any> };
  const wrapper = vm.runInNewContext(`(function (require, process, exports, module) {${COMPILED}\n})`, {});
  const type = 'type' in opts ? opts.type : 'renderer';
  wrapper(fakeRequire, { type, platform: opts.platform ?? 'linux' }, module.exports, module);
  return { ipc, exposed, required, contextBridge, exports: module.exports };
}

describe('preload', () => {
  it('exposes exactly window.waBridge with the agreed members, requiring only electron', () => {
    const { exposed, required, contextBridge } = runPreload({ platform: 'linux' });
    expect(required).toEqual(['electron']);
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(Object.keys(exposed)).toEqual(['waBridge']);
    const api = exposed.waBridge;
    expect(Object.keys(api).sort()).toEqual(['checkForUpdates', 'onOpenChat', 'openExternal', 'platform', 'secretStorageBackend', 'setAutoUpdate', 'setUnreadCount', 'signIn', 'updates']);
    expect(api.platform).toBe('linux');
    expect(Object.isFrozen(api)).toBe(true);
    for (const value of Object.values(api)) {
      if (typeof value === 'function') expect(Object.keys(value)).toEqual([]); // no ipcRenderer hanging off a member
    }
  });

  it('does nothing outside a renderer (e.g. when Node imports it)', () => {
    for (const type of ['browser', undefined]) {
      const run = runPreload({ type });
      expect(run.required).toEqual([]);
      expect(run.contextBridge.exposeInMainWorld).not.toHaveBeenCalled();
    }
  });

  it('uses the same channel names as the main process', () => {
    expect({ ...runPreload({ type: 'browser' }).exports.CHANNELS }).toEqual(IPC);
  });

  it('asks the main process to sign the page in, and hands the page nothing back (no token)', async () => {
    const { exposed, ipc } = runPreload({ answers: { [IPC.signIn]: 'tok-123456789012345' } });
    await expect(exposed.waBridge.signIn()).resolves.toBeUndefined();
    expect(ipc.invoke).toHaveBeenCalledWith(IPC.signIn);
  });

  it('passes the unread total to the main process, and refuses anything but a whole number', () => {
    const { exposed, ipc } = runPreload();
    exposed.waBridge.setUnreadCount(7);
    expect(ipc.invoke).toHaveBeenCalledWith(IPC.setUnreadCount, 7);
    for (const bad of [-1, 1.5, '7', null]) expect(() => exposed.waBridge.setUnreadCount(bad)).toThrow(/whole number/);
    expect(ipc.invoke).toHaveBeenCalledTimes(1);
  });

  it('forwards openExternal with the URL only, and refuses a non-string', async () => {
    const { exposed, ipc } = runPreload();
    await exposed.waBridge.openExternal('https://example.org/help');
    expect(ipc.invoke).toHaveBeenCalledWith(IPC.openExternal, 'https://example.org/help');
    await expect(exposed.waBridge.openExternal(42)).rejects.toThrow(/URL string/);
  });

  it('reports the secret storage backend as a string', async () => {
    const { exposed } = runPreload({ answers: { [IPC.secretStorageBackend]: 'basic_text' } });
    await expect(exposed.waBridge.secretStorageBackend()).resolves.toBe('basic_text');
  });

  it('carries the update switch over its own channels, booleans only', async () => {
    const settings = { configured: true, automatic: false, status: 'idle' };
    const { exposed, ipc } = runPreload({ answers: { [IPC.getUpdates]: settings, [IPC.setAutoUpdate]: settings, [IPC.checkForUpdates]: settings } });
    expect(await exposed.waBridge.updates()).toEqual(settings);
    expect(await exposed.waBridge.setAutoUpdate(false)).toEqual(settings);
    expect(ipc.invoke).toHaveBeenCalledWith(IPC.setAutoUpdate, false);
    await expect(exposed.waBridge.setAutoUpdate('false')).rejects.toThrow(/true or false/);
    await exposed.waBridge.checkForUpdates();
    expect(ipc.invoke).toHaveBeenCalledWith(IPC.checkForUpdates);
  });

  it('delivers open-chat requests without the IPC event, ignores malformed ones, and unsubscribes', () => {
    const { exposed, ipc } = runPreload();
    const seen: unknown[][] = [];
    const off = exposed.waBridge.onOpenChat((...args: unknown[]) => seen.push(args));
    const fakeEvent = { sender: { secret: true } };
    ipc.emitter.emit(IPC.openChat, fakeEvent, { slot: 2, chatId: '962781523783@c.us' });
    ipc.emitter.emit(IPC.openChat, fakeEvent, { slot: '2', chatId: 5 });
    ipc.emitter.emit(IPC.openChat, fakeEvent, null);
    expect(seen).toEqual([[2, '962781523783@c.us']]);
    off();
    ipc.emitter.emit(IPC.openChat, fakeEvent, { slot: 3, chatId: 'x@c.us' });
    expect(seen).toHaveLength(1);
    expect(ipc.emitter.listenerCount(IPC.openChat)).toBe(0);
    expect(() => exposed.waBridge.onOpenChat('nope')).toThrow(/callback/);
  });
});
