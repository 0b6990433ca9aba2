// The headless bridge as a real process: restore on restart, graceful stop on SIGTERM/SIGINT,
// and a one-line message for a bad configuration.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from './helpers/bridge.js';

const root = path.resolve(import.meta.dirname, '..');
const TOKEN = 'lifecycle-admin-token-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function runBridge(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bridge/main.ts')], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function startProcess(dataDir: string, port: number, scanMs = 300) {
  const run = runBridge({ PORT: String(port), WA_BRIDGE_HTTPS_PORT: '0', HOST: '127.0.0.1', WA_BRIDGE_DATA_DIR: dataDir, WA_BRIDGE_ENGINE: 'demo', WA_BRIDGE_DEMO_SCAN_MS: String(scanMs), WA_BRIDGE_ADMIN_TOKEN: TOKEN, WA_BRIDGE_SLOTS: '3' });
  const http = supertest(`http://127.0.0.1:${port}`);
  await waitFor(async () => (await http.get('/healthz').catch(() => null))?.status === 200, 20_000, 'bridge up');
  return { ...run, http };
}

const slotsOf = async (http: ReturnType<typeof supertest>) =>
  (await http.get('/api/slots').set('apikey', TOKEN)).body as { slot: number; ready: boolean; state: string; phone: string | null }[];

describe('bridge process', () => {
  it('restores connected slots without a QR after a restart, leaves disconnected ones off, stops gracefully', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = await startProcess(dataDir, port);
    for (const slot of [1, 2]) await first.http.post('/api/connect').set('apikey', TOKEN).send({ slot }).expect(200);
    await waitFor(async () => (await slotsOf(first.http)).filter((s) => s.ready).length === 2, 15_000, 'two ready');
    await first.http.post('/api/disconnect').set('apikey', TOKEN).send({ slot: 2 }).expect(200);
    await first.http.post('/api/send').set('apikey', TOKEN).send({ slot: 1, phone: '15550500001', message: 'kept after restart' }).expect(200);

    const started = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);

    // The saved pairing names its account; a restore must come back as that account. The demo
    // phone "scans" only after ten minutes here, so a fresh pairing cannot pass for a restore.
    const session = path.join(dataDir, 'slots', 'slot-1', 'demo-session.json');
    fs.writeFileSync(session, JSON.stringify({ ...JSON.parse(fs.readFileSync(session, 'utf8')), phone: '15550009999' }));
    const second = await startProcess(dataDir, port, 600_000);
    await waitFor(async () => (await slotsOf(second.http))[0]!.ready, 15_000, 'slot 1 restored');
    const slots = await slotsOf(second.http);
    expect(slots.map((s) => s.state)).toEqual(['READY', 'STOPPED', 'STOPPED']);
    expect(slots[0]!.phone).toBe('15550009999');
    // No QR was scanned since the process started.
    const metrics = await second.http.get('/metrics').set('apikey', TOKEN).expect(200);
    expect(metrics.text).toMatch(/^# TYPE wa_qr_scans_total counter$/m);
    expect(metrics.text).not.toMatch(/^wa_qr_scans_total\{[^}]*\} [1-9]/m);
    // The archive kept what was written before the stop (flushed on SIGTERM).
    const archive = await second.http.get('/api/archive').query({ slot: 1, chatId: '15550500001@c.us' }).set('apikey', TOKEN).expect(200);
    expect(archive.body.data.map((m: { body: string }) => m.body)).toContain('kept after restart');

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 60_000);

  it('a bad configuration value stops start-up with one line naming the variable', async () => {
    const run = runBridge({ PORT: 'eighty', WA_BRIDGE_DATA_DIR: tempDir() });
    expect(await run.exited).toBe(2);
    expect(run.output().trim().split('\n')).toHaveLength(1);
    expect(run.output()).toMatch(/^wa-bridge: configuration error: PORT: /);
  });
});
