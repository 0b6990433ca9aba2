import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQuitCoordinator, startupErrorMessage } from './lifecycle.js';
import { SHELL_STATE_FILE, decideClose, loadShellState, saveShellState, startsHidden } from './shell-state.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shell-state-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('shell state file', () => {
  it('defaults when missing and round-trips', () => {
    const first = loadShellState(dir);
    expect(first).toEqual({ state: { closeNoticeShown: false, autoUpdate: true } });
    saveShellState(dir, { ...first.state, closeNoticeShown: true, updateUrl: 'https://updates.example.org/wa-bridge/' });
    expect(loadShellState(dir).state).toEqual({ closeNoticeShown: true, autoUpdate: true, updateUrl: 'https://updates.example.org/wa-bridge/' });
  });

  it('falls back to defaults with a reason for a damaged or invalid file', () => {
    fs.writeFileSync(path.join(dir, SHELL_STATE_FILE), '{not json');
    const broken = loadShellState(dir);
    expect(broken.state.closeNoticeShown).toBe(false);
    expect(broken.problem).toMatch(/desktop\.json/);
    fs.writeFileSync(path.join(dir, SHELL_STATE_FILE), JSON.stringify({ updateUrl: 'file:///etc/passwd' }));
    const invalid = loadShellState(dir);
    expect(invalid.state).toEqual({ closeNoticeShown: false, autoUpdate: true });
    expect(invalid.problem).toMatch(/updateUrl/);
  });
});

describe('closing the window', () => {
  it('hides to the tray and tells the owner only the first time', () => {
    expect(decideClose(false, { closeNoticeShown: false })).toEqual({ hide: true, showNotice: true });
    expect(decideClose(false, { closeNoticeShown: true })).toEqual({ hide: true, showNotice: false });
  });

  it('really closes while quitting', () => {
    expect(decideClose(true, { closeNoticeShown: false })).toEqual({ hide: false, showNotice: false });
  });

  it('starts hidden when launched at login', () => {
    expect(startsHidden(['/opt/WA Bridge/wa-bridge', '--hidden'], false)).toBe(true);
    expect(startsHidden(['/opt/WA Bridge/wa-bridge'], true)).toBe(true);
    expect(startsHidden(['/opt/WA Bridge/wa-bridge'], false)).toBe(false);
  });
});

describe('quit coordinator', () => {
  it('holds the quit until the bridge stopped, then exits once', async () => {
    let finish!: () => void;
    const stop = vi.fn(() => new Promise<void>((r) => (finish = r)));
    const exit = vi.fn();
    const q = createQuitCoordinator({ stop, exit });
    expect(q.quitting).toBe(false);
    expect(q.beforeQuit()).toBe(true);
    expect(q.quitting).toBe(true);
    expect(q.beforeQuit()).toBe(true); // a second Quit click while stopping
    expect(stop).toHaveBeenCalledTimes(1);
    expect(exit).not.toHaveBeenCalled();
    finish();
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(q.beforeQuit()).toBe(false); // let the real quit through
  });

  it('exits with 1 when stopping fails or hangs past the deadline', async () => {
    const errors: unknown[] = [];
    const exitFail = vi.fn();
    createQuitCoordinator({ stop: () => Promise.reject(new Error('boom')), exit: exitFail, onError: (e) => errors.push(e) }).beforeQuit();
    await vi.waitFor(() => expect(exitFail).toHaveBeenCalledWith(1));
    const exitHang = vi.fn();
    createQuitCoordinator({ stop: () => new Promise(() => {}), exit: exitHang, timeoutMs: 30, onError: (e) => errors.push(e) }).beforeQuit();
    await vi.waitFor(() => expect(exitHang).toHaveBeenCalledWith(1));
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom', 'the bridge did not stop within 30 ms']);
  });
});

describe('startupErrorMessage', () => {
  it('explains a busy port, a config error and anything else in words', () => {
    const busy = Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:3000'), { code: 'EADDRINUSE', port: 3000 });
    expect(startupErrorMessage(busy, 'WA Bridge', false)).toMatch(/^Port 3000 is already used .* set PORT/);
    const noPort = Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:3100'), { code: 'EADDRINUSE' });
    expect(startupErrorMessage(noPort, 'WA Bridge', false)).toMatch(/^Port 3100 /);
    expect(startupErrorMessage(new Error('PORT: Too big'), 'WA Bridge', true)).toBe('Configuration problem: PORT: Too big');
    expect(startupErrorMessage(new Error('disk full'), 'WA Bridge', false)).toBe('WA Bridge could not start: disk full');
    expect(startupErrorMessage('weird', 'WA Bridge', false)).toBe('WA Bridge could not start: weird');
  });
});
