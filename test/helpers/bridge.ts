// Test harness: a real bridge on the demo engine, port 0, temp data dir; plus WebSocket helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { WebSocket } from 'ws';
import { createBridge, type BridgeOptions } from '../../bridge/bridge.js';
import { loadConfig, type ConfigInput } from '../../bridge/config.js';
import type { Bridge } from '../../bridge/types.js';

export interface TestBridge {
  bridge: Bridge;
  dataDir: string;
  token: string;
  /** supertest against the running server. */
  http: ReturnType<typeof supertest>;
  stop(): Promise<void>;
}

export function tempDir(prefix = 'wa-bridge-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startBridge(overrides: ConfigInput = {}, options: BridgeOptions = {}, env: NodeJS.ProcessEnv = {}): Promise<TestBridge> {
  const dataDir = (overrides.dataDir as string | undefined) ?? tempDir();
  const config = loadConfig(env, { port: 0, host: '127.0.0.1', engine: 'demo', demoScanMs: 200, logLevel: 'info', ...overrides, dataDir });
  // Logs go to the bridge's in-memory buffer only, not the test output.
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  const bridge = createBridge(config, { logDestination: sink, ...options });
  await bridge.start();
  return {
    bridge,
    dataDir,
    token: bridge.adminToken,
    http: supertest(bridge.url),
    stop: () => bridge.stop(),
  };
}

export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Connect a slot and wait until it is READY. */
export async function connectSlot(t: TestBridge, slot = 1): Promise<void> {
  await t.http.post('/api/connect').set('apikey', t.token).send({ slot }).expect(200);
  await waitFor(async () => {
    const res = await t.http.get('/api/slots').set('apikey', t.token);
    return (res.body as { slot: number; ready: boolean }[]).find((s) => s.slot === slot)?.ready;
  }, 10_000, `slot ${slot} ready`);
}

export type Frame = Record<string, unknown> & { type: string };

/** A WebSocket client that records every frame and can await a matching one. */
export class WsClient {
  readonly frames: Frame[] = [];
  private seq = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
  }

  static open(url: string, token?: string, query: Record<string, string> = {}): Promise<WsClient> {
    const params = new URLSearchParams({ ...(token ? { token } : {}), ...query }).toString();
    const target = `${url.replace('http', 'ws')}/ws${params ? `?${params}` : ''}`;
    const ws = new WebSocket(target);
    const client = new WsClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  waitFrame(match: (f: Frame) => boolean, timeoutMs = 10_000, what = 'frame'): Promise<Frame> {
    return waitFor(() => this.frames.find(match), timeoutMs, what);
  }

  /** Send a command and await its reply (matched by requestId). */
  async command(type: string, fields: Record<string, unknown> = {}): Promise<Frame> {
    const requestId = `r${++this.seq}`;
    this.ws.send(JSON.stringify({ type, requestId, ...fields }));
    return this.waitFrame((f) => f.requestId === requestId, 10_000, `reply to ${type}`);
  }

  closed(): Promise<{ code: number; reason: string }> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve({ code: 0, reason: '' });
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  close(): void {
    this.ws.close();
  }
}
