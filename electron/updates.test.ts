import { describe, expect, it, vi } from 'vitest';
import { UpdateController, sendingFromHealth, updateMenuItem, type UpdaterLike, type UpdateStatus } from './updates.js';

function fakeUpdater() {
  const listeners = new Map<string, (arg?: unknown) => void>();
  const updater: UpdaterLike & { emit(event: string, arg?: unknown): void } = {
    autoDownload: false,
    autoInstallOnAppQuit: true,
    setFeedURL: vi.fn(),
    checkForUpdates: vi.fn(async () => undefined),
    quitAndInstall: vi.fn(),
    on: (event, listener) => listeners.set(event, listener),
    emit: (event, arg) => listeners.get(event)?.(arg),
  };
  return updater;
}

function controller(sending: () => Promise<boolean> = async () => false) {
  const updater = fakeUpdater();
  const seen: UpdateStatus[] = [];
  const c = new UpdateController({ updater, sending, onChange: (s) => seen.push(s), log: () => {}, wait: async () => {} });
  return { c, updater, seen };
}

describe('UpdateController', () => {
  it('stays off without a feed, or in a checkout', async () => {
    const { c, updater } = controller();
    expect(c.configure(undefined, true)).toBe(false);
    expect(c.configure('https://updates.example/wa/', false)).toBe(false);
    await c.check();
    expect(updater.setFeedURL).not.toHaveBeenCalled();
    expect(updater.checkForUpdates).not.toHaveBeenCalled();
    expect(updateMenuItem(c.status)).toEqual({ label: 'Check for updates (no update feed set)', enabled: false, action: null });
  });

  it('with a feed: checks, downloads, and never installs on quit by itself', async () => {
    const { c, updater, seen } = controller();
    expect(c.configure('https://updates.example/wa/', true)).toBe(true);
    expect(updater.setFeedURL).toHaveBeenCalledWith({ provider: 'generic', url: 'https://updates.example/wa/' });
    expect(updater.autoInstallOnAppQuit).toBe(false);
    await c.check();
    updater.emit('update-available');
    updater.emit('update-downloaded');
    expect(seen).toEqual(['idle', 'checking', 'downloading', 'ready']);
    expect(updateMenuItem(c.status).action).toBe('install');
    expect(updater.quitAndInstall).not.toHaveBeenCalled();
  });

  it('waits for the outbox to empty before restarting into the update', async () => {
    const answers = [true, true, false];
    const { c, updater, seen } = controller(async () => answers.shift()!);
    c.configure('https://updates.example/wa/', true);
    updater.emit('update-downloaded');
    const done = c.installWhenIdle();
    expect(c.status).toBe('waiting-for-sends');
    await done;
    expect(answers).toEqual([]);
    expect(updater.quitAndInstall).toHaveBeenCalledTimes(1);
    expect(seen).toContain('waiting-for-sends');
  });

  it('treats an unreadable outbox as sending, and a failed check as an error it can retry', async () => {
    let calls = 0;
    const { c, updater } = controller(async () => {
      calls++;
      if (calls === 1) throw new Error('bridge busy');
      return false;
    });
    c.configure('https://updates.example/wa/', true);
    vi.mocked(updater.checkForUpdates).mockRejectedValueOnce(new Error('offline'));
    await c.check();
    expect(c.status).toBe('error');
    expect(updateMenuItem(c.status).action).toBe('check');
    updater.emit('update-downloaded');
    await c.installWhenIdle();
    expect(calls).toBe(2);
    expect(updater.quitAndInstall).toHaveBeenCalledTimes(1);
  });
});

describe('sendingFromHealth', () => {
  it('is sending while anything waits in the outbox, or when health is unreadable', () => {
    expect(sendingFromHealth({ outbox: 0 })).toBe(false);
    expect(sendingFromHealth({ outbox: 3 })).toBe(true);
    expect(sendingFromHealth({ outbox: { pending: 0, sending: 1 } })).toBe(true);
    expect(sendingFromHealth({ outbox: { pending: 0 } })).toBe(false);
    expect(sendingFromHealth(null)).toBe(true);
    expect(sendingFromHealth({})).toBe(true);
  });
});
