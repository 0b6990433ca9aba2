// The headless bridge as a real process: restore on restart, graceful stop on SIGTERM/SIGINT,
// and a one-line message for a bad configuration.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from './helpers/bridge.js';
import { killAll, ROOT, startBridgeProcess, TOKEN } from './helpers/process.js';

afterEach(killAll);

// Up means /healthz answers; the helper fails at once with the output if the process exits first,
// so a slow start on a busy machine only takes longer instead of failing at a fixed 20 s.
const startProcess = (dataDir: string, scanMs = 300) =>
  startBridgeProcess(dataDir, { env: { WA_BRIDGE_DEMO_SCAN_MS: String(scanMs), WA_BRIDGE_SLOTS: '3' } });

const slotsOf = async (http: ReturnType<typeof supertest>) =>
  (await http.get('/api/slots').set('apikey', TOKEN)).body as { slot: number; ready: boolean; state: string; phone: string | null }[];

describe('bridge process', () => {
  it('restores connected slots without a QR after a restart, leaves disconnected ones off, stops gracefully', async () => {
    const dataDir = tempDir();
    const first = await startProcess(dataDir);
    for (const slot of [1, 2]) await first.http.post('/api/connect').set('apikey', TOKEN).send({ slot }).expect(200);
    await waitFor(async () => (await slotsOf(first.http)).filter((s) => s.ready).length === 2, 60_000, 'two ready');
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
    const second = await startProcess(dataDir, 600_000);
    await waitFor(async () => (await slotsOf(second.http))[0]!.ready, 60_000, 'slot 1 restored');
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
  }, 240_000);

  it('a bad configuration value stops start-up with one line naming the variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bridge/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', PORT: 'eighty', WA_BRIDGE_DATA_DIR: tempDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(/^wa-bridge: configuration error: PORT: /);
  }, 120_000);
});
