// The headless bridge as a real child process (for crash, kill -9 and output tests).
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import supertest from 'supertest';
import { waitFor } from './bridge.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const TOKEN = 'process-admin-token-0123456789';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface BridgeProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
  http: ReturnType<typeof supertest>;
  url: string;
}

const running = new Set<ChildProcess>();

/** kill -9 every child a test left behind. */
export function killAll(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  running.clear();
}

export async function startBridgeProcess(
  dataDir: string,
  opts: { port?: number; env?: Record<string, string>; stdio?: StdioOptions; startTimeoutMs?: number; /** Another entry script (a test fixture that wraps bridge/main.ts). */ entry?: string } = {},
): Promise<BridgeProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', opts.entry ?? path.join(ROOT, 'bridge/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      PORT: String(port),
      // Any free port: PORT + 1 (the default) may be taken by another test's bridge.
      WA_BRIDGE_HTTPS_PORT: '0',
      HOST: '127.0.0.1',
      WA_BRIDGE_DATA_DIR: dataDir,
      WA_BRIDGE_ENGINE: 'demo',
      WA_BRIDGE_DEMO_SCAN_MS: '200',
      WA_BRIDGE_ADMIN_TOKEN: TOKEN,
      WA_BRIDGE_SLOTS: '2',
      WA_BRIDGE_RATE_PER_MINUTE: '10000',
      WA_BRIDGE_RATE_PER_HOUR: '10000',
      WA_BRIDGE_RATE_PER_DAY: '100000',
      ...opts.env,
    },
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const http = supertest(url);
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`bridge exited ${child.exitCode}: ${output}`);
    return (await http.get('/healthz').catch(() => null))?.status === 200;
  }, opts.startTimeoutMs ?? 90_000, 'bridge up').catch((err: Error) => {
    throw new Error(`${err.message}; its output: ${output.slice(-1500)}`);
  });
  return { child, exited, output: () => output, http, url };
}

export async function connectAndWait(p: BridgeProcess, slot = 1): Promise<void> {
  await p.http.post('/api/connect').set('apikey', TOKEN).send({ slot }).expect(200);
  await waitFor(async () => {
    const res = await p.http.get('/api/slots').set('apikey', TOKEN);
    return (res.body as { slot: number; ready: boolean }[]).find((s) => s.slot === slot)?.ready;
  }, 20_000, `slot ${slot} ready`);
}
