// WebSocket exhaustion (issue 18): a huge subscribe list, a client that stops reading, a
// half-open socket that never answers pings.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Caller } from '../../bridge/auth/tokens.js';
import { FULL_SCOPE } from '../../bridge/auth/scope.js';
import type { BridgeContext } from '../../bridge/context.js';
import { WsHub, type HubOptions } from '../../bridge/ws/hub.js';
import { startBridge, waitFor, WsClient } from '../helpers/bridge.js';

describe('subscribe', () => {
  it('a list longer than any bridge has slots is refused quickly, the socket stays usable', async () => {
    const t = await startBridge();
    const ws = await WsClient.open(t.bridge.url, t.token);
    try {
      const reply = await ws.command('subscribe', { slots: new Array(200_000).fill(1) });
      expect(reply).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('at most') } });
      expect((await ws.command('subscribe', { slots: [1, 1, 2] })).data).toEqual({ slots: [1, 2] });
    } finally {
      ws.close();
      await t.stop();
    }
  });
});

/** A hub on its own server with a double of the context: only what the hub touches. */
async function hubWith(opts: HubOptions) {
  const device: Caller = { kind: 'device', id: 'dev-1', scope: FULL_SCOPE };
  const ctx = {
    config: { bodyLimitBytes: 64 * 1024 },
    logger: pino({ level: 'silent' }),
    registry: { slots: [] },
    tokens: { identify: async (t?: string) => (t === 'good' ? device : null), touch: async () => undefined },
  } as unknown as BridgeContext;
  const hub = new WsHub(ctx, () => true, opts);
  const server = http.createServer();
  hub.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws?token=good`;
  return {
    hub,
    url,
    async close() {
      await hub.close(50);
      await new Promise((r) => server.close(r));
    },
  };
}

function open(url: string, autoPong = true): Promise<WebSocket> {
  const ws = new WebSocket(url, { autoPong });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('liveness', () => {
  let cleanup: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await cleanup?.();
    cleanup = null;
  });

  it('a client that stops reading is cut once its send buffer passes the bound; others keep receiving', async () => {
    const h = await hubWith({ heartbeatMs: 60_000, maxBufferedBytes: 256 * 1024 });
    cleanup = h.close;
    const stalled = await open(h.url);
    const reader = await open(h.url);
    let received = 0;
    reader.on('message', (d) => {
      if ((JSON.parse(String(d)) as { type: string }).type === 'qr') received++;
    });
    const stalledClosed = new Promise((r) => stalled.once('close', r));
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
    const payload = 'x'.repeat(256 * 1024);
    let sent = 0;
    await waitFor(() => {
      h.hub.broadcast({ type: 'qr', slot: 1, qr: payload } as never);
      sent++;
      return h.hub.clientCount() === 1;
    }, 15_000, 'stalled client dropped');
    // Bounded: the server let go long before the buffer grew without limit.
    expect(sent * payload.length).toBeLessThan(200 * 1024 * 1024);
    await waitFor(() => received === sent, 10_000, 'reader got every frame');
    stalled.terminate();
    await stalledClosed;
    reader.close();
  });

  it('a half-open client that does not answer pings is cut and no longer counted online', async () => {
    const h = await hubWith({ heartbeatMs: 100 });
    cleanup = h.close;
    const deaf = await open(h.url, false); // never answers a ping, like a phone gone off Wi-Fi
    expect(h.hub.isDeviceOnline('dev-1')).toBe(true);
    await waitFor(() => !h.hub.isDeviceOnline('dev-1'), 5000, 'device offline');
    await waitFor(() => h.hub.clientCount() === 0, 5000, 'socket removed');
    deaf.terminate();
  });

  it('a client that answers pings stays online across many heartbeats', async () => {
    const h = await hubWith({ heartbeatMs: 50 });
    cleanup = h.close;
    const ws = await open(h.url);
    let pings = 0;
    ws.on('ping', () => pings++);
    await waitFor(() => pings >= 5, 5000, 'five pings');
    expect(h.hub.isDeviceOnline('dev-1')).toBe(true);
    expect(h.hub.clientCount()).toBe(1);
    ws.close();
  });
});
