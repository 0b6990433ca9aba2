// HTTPS/WSS on the LAN, pinned through pairing (issue 18): a client pinned to the fingerprint from
// the pairing payload connects; a wrong pin is refused before anything is sent; plain HTTP
// reaches the LAN only behind the legacy setting, which upgraded installs with phones get on.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadTls, RENEW_AHEAD_DAYS, VALID_DAYS } from '../../bridge/tls/certificate.js';
import { startBridge, tempDir, type TestBridge } from '../helpers/bridge.js';

type OnCreate = (err: Error | null, socket?: Duplex) => void;

/** What a pinning phone does: accept the self-signed certificate only if its SHA-256 matches. */
function pinned(pins: string[]) {
  return (opts: tls.ConnectionOptions, onCreate: OnCreate): undefined => {
    const socket = tls.connect({ ...opts, rejectUnauthorized: false, servername: undefined });
    socket.once('secureConnect', () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      if (pins.includes(fingerprint)) return onCreate(null, socket);
      socket.destroy();
      onCreate(new Error(`certificate pin mismatch (${fingerprint})`));
    });
    socket.once('error', (err) => onCreate(err));
    return undefined;
  };
}

function openWss(t: TestBridge, pins: string[]): Promise<WebSocket> {
  const ws = new WebSocket(`wss://127.0.0.1:${t.bridge.httpsPort}/ws?token=${t.token}`, { createConnection: pinned(pins) as never });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function httpsGet(t: TestBridge, route: string, pins: string[]): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: t.bridge.httpsPort!, path: route, headers: { apikey: t.token }, createConnection: pinned(pins) as never },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function pairingOf(t: TestBridge) {
  return (await t.http.get('/api/pairing').set('apikey', t.token).expect(200)).body as { fingerprint: string; addresses: { url: string }[]; lanHttp: boolean };
}

describe('HTTPS pinned through pairing', () => {
  it('a client pinned to the pairing fingerprint connects over WSS and HTTPS; a wrong pin is refused', async () => {
    const t = await startBridge();
    try {
      const { fingerprint, addresses } = await pairingOf(t);
      for (const a of addresses) expect(a.url).toBe(`https://${new URL(a.url).hostname}:${t.bridge.httpsPort}`);
      expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const ws = await openWss(t, [fingerprint]);
      const reply = new Promise<any>((resolve) =>
        ws.on('message', (d) => {
          const frame = JSON.parse(String(d));
          if (frame.requestId === 'p') resolve(frame);
        }),
      );
      ws.send(JSON.stringify({ type: 'ping', requestId: 'p' }));
      expect(await reply).toMatchObject({ requestId: 'p', success: true });
      ws.close();
      expect((await httpsGet(t, '/api/slots', [fingerprint])).status).toBe(200);

      const wrong = fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00');
      await expect(openWss(t, [wrong])).rejects.toThrow(/pin mismatch/);
      await expect(httpsGet(t, '/api/slots', [wrong])).rejects.toThrow(/pin mismatch/);
    } finally {
      await t.stop();
    }
  });

  it('the certificate survives a restart (same pin), files are private', async () => {
    const dataDir = tempDir();
    const first = await startBridge({ dataDir });
    const pin = (await pairingOf(first)).fingerprint;
    await first.stop();
    const second = await startBridge({ dataDir });
    try {
      expect((await pairingOf(second)).fingerprint).toBe(pin);
      for (const f of ['cert.pem', 'key.pem']) expect(fs.statSync(path.join(dataDir, 'tls', f)).mode & 0o077).toBe(0);
    } finally {
      await second.stop();
    }
  });
});

describe('plain HTTP on the LAN', () => {
  // Tests stay on loopback: the bridge is told to treat 127.0.0.1 as a LAN address.
  const lan = { isLocalAddress: () => false };

  it('a new install refuses plain HTTP from the LAN with a clear 403, serves HTTPS', async () => {
    const t = await startBridge({}, lan);
    try {
      const res = await t.http.get('/api/slots').set('apikey', t.token).expect(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('https://') });
      await expect(new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${t.bridge.port}/ws?token=${t.token}`);
        ws.once('open', resolve);
        ws.once('unexpected-response', (_req, r) => reject(new Error(`refused ${r.statusCode}`)));
        ws.once('error', reject);
      })).rejects.toThrow(/403/);
      const pin = (await httpsGet(t, '/api/pairing', [])
        .catch(() => null)) as null; // no pin: refused
      expect(pin).toBeNull();
      const health = await new Promise<any>((resolve, reject) => {
        // The pin comes from the pairing QR; here from the data dir's certificate.
        void loadTls(t.dataDir).then((s) => httpsGet(t, '/api/health', [s.current.fingerprint]).then(resolve, reject));
      });
      expect(health.status).toBe(200);
      expect(health.body.tls).toMatchObject({ lanHttp: false });
      expect(health.body.warnings).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  it('an install upgraded with paired phones keeps plain HTTP on for them, and says so', async () => {
    const dataDir = tempDir();
    const before = await startBridge({ dataDir });
    const device = (await before.http.post('/api/devices').set('apikey', before.token).send({ name: "old phone" }).expect(201)).body as { token: string };
    await before.stop();
    // What an install from before HTTPS looks like: no certificate, no legacy setting.
    fs.rmSync(path.join(dataDir, 'tls'), { recursive: true });
    const t = await startBridge({ dataDir }, lan);
    try {
      // The legacy phone: plain HTTP, its old token, no pin.
      await t.http.get('/api/slots').set('apikey', device.token).expect(200);
      const health = await t.http.get('/api/health').set('apikey', t.token).expect(200);
      expect(health.body.tls.lanHttp).toBe(true);
      expect(health.body.warnings).toEqual([expect.stringMatching(/^lan_http: /)]);
      const settings = await t.http.get('/api/settings').set('apikey', t.token).expect(200);
      expect(settings.body.data.lanHttp).toBe(true);
    } finally {
      await t.stop();
    }
    // The owner turns it off once phones have paired again: plain HTTP from the LAN is refused.
    const off = await startBridge({ dataDir, lanHttp: false }, lan);
    try {
      await off.http.get('/api/slots').set('apikey', device.token).expect(403);
    } finally {
      await off.stop();
    }
  });

  it('loopback always gets plain HTTP (the local admin app)', async () => {
    const t = await startBridge({ lanHttp: false });
    try {
      await t.http.get('/api/slots').set('apikey', t.token).expect(200);
    } finally {
      await t.stop();
    }
  });
});

describe('renewal', () => {
  it('announces the next fingerprint ahead, then switches to it at expiry', async () => {
    const dataDir = tempDir();
    const DAY = 86_400_000;
    const start = new Date('2030-01-01T00:00:00Z');
    const first = await loadTls(dataDir, start);
    expect(first.next).toBeNull();
    const early = await loadTls(dataDir, new Date(start.getTime() + (VALID_DAYS - RENEW_AHEAD_DAYS - 5) * DAY));
    expect(early.current.fingerprint).toBe(first.current.fingerprint);
    expect(early.next).toBeNull();
    const ahead = await loadTls(dataDir, new Date(start.getTime() + (VALID_DAYS - RENEW_AHEAD_DAYS + 1) * DAY));
    expect(ahead.current.fingerprint).toBe(first.current.fingerprint); // still served
    expect(ahead.next?.fingerprint).toMatch(/^[0-9A-F:]{95}$/);
    expect(ahead.next!.fingerprint).not.toBe(first.current.fingerprint);
    const after = await loadTls(dataDir, new Date(start.getTime() + VALID_DAYS * DAY));
    expect(after.current.fingerprint).toBe(ahead.next!.fingerprint); // the announced pin
    expect(after.next).toBeNull();
  });

  it('a damaged certificate is one clear error', async () => {
    const dataDir = tempDir();
    await loadTls(dataDir);
    fs.writeFileSync(path.join(dataDir, 'tls', 'cert.pem'), '-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n');
    await expect(loadTls(dataDir)).rejects.toThrow(/cert\.pem: not a valid certificate .*delete the tls folder/);
  });
});
