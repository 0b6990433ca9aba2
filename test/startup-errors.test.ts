// Start-up failures an owner can fix print one clean line, never a stack trace (issue 18).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startupErrorLine } from '../bridge/startup-errors.js';
import { tempDir } from './helpers/bridge.js';

const root = path.resolve(import.meta.dirname, '..');

function runBridge(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bridge/main.ts')], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', WA_BRIDGE_ENGINE: 'demo', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('start-up errors', () => {
  it('a port in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = await runBridge({ PORT: String(port), WA_BRIDGE_DATA_DIR: tempDir() });
      expect(run.code).toBe(1);
      expect(run.output.trim().split('\n')).toEqual([`wa-bridge: could not start: port ${port} on 127.0.0.1 is already in use (is another WA Bridge running?); stop it or set PORT`]);
    } finally {
      blocker.close();
    }
  });

  it('a data dir that cannot be written', async () => {
    const parent = tempDir();
    fs.writeFileSync(path.join(parent, 'not-a-dir'), 'x');
    const dataDir = path.join(parent, 'not-a-dir', 'data');
    const run = await runBridge({ PORT: '0', WA_BRIDGE_DATA_DIR: dataDir });
    expect(run.code).toBe(1);
    expect(run.output.trim().split('\n')).toEqual([`wa-bridge: could not start: data dir ${dataDir} is not writable (ENOTDIR); set WA_BRIDGE_DATA_DIR to a folder you own`]);
  });

  it('names the usual listen failures', () => {
    const err = (code: string, syscall = 'listen') => Object.assign(new Error(`${code} boom\n  at x`), { code, syscall });
    const where = { host: '0.0.0.0', port: 80 };
    expect(startupErrorLine(err('EACCES'), where)).toMatch(/not allowed to listen on port 80/);
    expect(startupErrorLine(err('EADDRNOTAVAIL'), where)).toMatch(/HOST 0.0.0.0 is not an address/);
    expect(startupErrorLine(new Error('first\nsecond'), where)).toBe('first');
  });
});
