// Restarting the desktop app's embedded bridge in place (Electron cannot run here): stand-in
// bridges for the order of things, and a real demo bridge answering POST /api/restart.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBridge } from '../bridge/bridge.js';
import { loadConfig } from '../bridge/config.js';
import type { Bridge } from '../bridge/types.js';
import { tempDir, waitFor } from '../test/helpers/bridge.js';
import { BridgeRunner, type RunnableBridge } from './bridge-runner.js';

class FakeBridge implements RunnableBridge {
  readonly url: string;
  running = false;
  constructor(
    readonly id: number,
    readonly onRestart: () => void,
    private readonly events: string[],
    private readonly failStart = false,
  ) {
    this.url = `http://127.0.0.1:${3000 + id}`;
  }
  async start() {
    this.events.push(`start ${this.id}`);
    await new Promise((r) => setTimeout(r, 5));
    if (this.failStart) throw new Error('port 3000 is already in use');
    this.running = true;
  }
  async stop() {
    this.events.push(`stop ${this.id}`);
    await new Promise((r) => setTimeout(r, 5));
    this.running = false;
  }
}

function runner(opts: { failOn?: number } = {}) {
  const events: string[] = [];
  const made: FakeBridge[] = [];
  const failed = vi.fn();
  const r = new BridgeRunner<FakeBridge>({
    create: (onRestart) => {
      const b = new FakeBridge(made.length + 1, onRestart, events, made.length + 1 === opts.failOn);
      made.push(b);
      return b;
    },
    started: (b, restarted) => void events.push(`wired ${b.id}${restarted ? ' (restarted)' : ''}`),
    failed,
  });
  return { r, events, made, failed };
}

describe('BridgeRunner', () => {
  it('starts, then restarts in place through the bridge\'s own hook: stop, new bridge, start, rewire', async () => {
    const { r, events, made } = runner();
    const first = await r.start();
    expect(r.current).toBe(first);
    first.onRestart(); // what POST /api/restart calls
    await waitFor(() => r.current && r.current !== first && r.current.running, 2000, 'the new bridge');
    expect(events).toEqual(['start 1', 'wired 1', 'stop 1', 'start 2', 'wired 2 (restarted)']);
    expect(first.running).toBe(false);
    expect(made).toHaveLength(2);
  });

  it('runs one restart at a time: a second ask during one joins it', async () => {
    const { r, events } = runner();
    await r.start();
    await Promise.all([r.restart(), r.restart(), r.restart()]);
    expect(events.filter((e) => e.startsWith('start'))).toHaveLength(2);
    await r.restart(); // a later one is a new restart
    expect(events.filter((e) => e.startsWith('start'))).toHaveLength(3);
  });

  it('quitting during a restart waits for it, then stops the new bridge; no restart after quitting', async () => {
    const { r, events, made } = runner();
    await r.start();
    const restarting = r.restart();
    await r.stop();
    await restarting;
    expect(made.every((b) => !b.running)).toBe(true);
    expect(events.at(-1)).toBe('stop 2');
    expect(events).not.toContain('wired 2 (restarted)');
    await r.restart();
    expect(made).toHaveLength(2);
  });

  it('settings that cannot be used refuse the restart before anything stops', async () => {
    const events: string[] = [];
    const r = new BridgeRunner<FakeBridge>({
      create: (onRestart) => new FakeBridge(events.filter((e) => e.startsWith('start')).length + 1, onRestart, events),
      started: () => undefined,
      failed: () => events.push('failed'),
      beforeRestart: () => {
        throw new Error('PORT must be a number');
      },
      log: (m) => events.push(m),
    });
    const first = await r.start();
    await r.restart();
    expect(events).toEqual(['start 1', 'restart refused, the bridge keeps running: PORT must be a number']);
    expect(r.current).toBe(first);
    expect(first.running).toBe(true);
  });

  it('a new bridge that cannot start is reported and stopped; nothing is left running', async () => {
    const { r, made, failed } = runner({ failOn: 2 });
    await r.start();
    await r.restart();
    expect(failed).toHaveBeenCalledWith(expect.objectContaining({ message: 'port 3000 is already in use' }));
    expect(r.current).toBeUndefined();
    expect(made.map((b) => b.running)).toEqual([false, false]);
  });
});

describe('desktop restart hook on a real bridge', () => {
  let runnerUnderTest: BridgeRunner<Bridge> | undefined;
  afterEach(async () => {
    await runnerUnderTest?.stop();
  });

  it('POST /api/restart answers 202 (not 403) and the bridge comes back on the same port with the saved settings', async () => {
    const dataDir = tempDir();
    let port = 0;
    const wired: string[] = [];
    const r = new BridgeRunner<Bridge>({
      // The shell re-reads its settings for every bridge (electron/main.ts does the same).
      create: (onRestart) => createBridge(loadConfig({}, { port, host: '127.0.0.1', dataDir, engine: 'demo', logLevel: 'silent' }), { onRestart }),
      started: (b) => {
        port = b.port;
        wired.push(b.url);
      },
      failed: (err) => {
        throw err;
      },
    });
    runnerUnderTest = r;
    const first = await r.start();
    const firstUrl = first.url; // (a stopped bridge no longer knows its port)
    const token = first.adminToken;
    const headers = { apikey: token, 'content-type': 'application/json' };
    // A setting that needs a restart.
    const saved = await fetch(`${first.url}/api/settings`, { method: 'PUT', headers, body: JSON.stringify({ ratePerMinute: 42 }) });
    expect(saved.status).toBe(200);
    const res = await fetch(`${first.url}/api/restart`, { method: 'POST', headers, body: '{}' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ success: true, restarting: true });
    const next = await waitFor(() => (r.current && r.current !== first ? r.current : null), 20_000, 'the restarted bridge');
    await waitFor(async () => (await fetch(`${next.url}/api/health`, { headers }).catch(() => null))?.ok, 20_000, 'health after restart');
    expect(next.url).toBe(firstUrl);
    expect(wired).toEqual([firstUrl, firstUrl]);
    const settings = (await (await fetch(`${next.url}/api/settings`, { headers })).json()) as { restartRequired: string[] };
    expect(settings.restartRequired).toEqual([]);
  });
});
