// The desktop app's --session-store mode: the flag is recognised, and the shared start-up serves
// (and refuses to start without GLOBAL_AUTH_TOKEN with a clean line, never a stack).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runSessionStore } from '../bridge/session-store/run.js';
import { SESSION_STORE_FLAG, wantsSessionStore } from './session-store-mode.js';

describe('--session-store mode', () => {
  it('is asked for by the flag only', () => {
    expect(wantsSessionStore(['/opt/WA Bridge/wa-bridge', SESSION_STORE_FLAG])).toBe(true);
    expect(wantsSessionStore(['/opt/WA Bridge/wa-bridge', '--hidden'])).toBe(false);
    expect(wantsSessionStore(['/opt/WA Bridge/wa-bridge', '--session-store=1'])).toBe(false);
  });

  it('stores in the default folder (the app’s user data) when SESSION_STORE_DIR is unset', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'store-mode-')), 'session-store');
    const lines: string[] = [];
    const token = 'mode-test-token-0123456789';
    const server = runSessionStore({ env: { GLOBAL_AUTH_TOKEN: token, SESSION_STORE_PORT: '0', SESSION_STORE_HOST: '127.0.0.1' }, defaultDir: dir, out: (l) => lines.push(l), exit: () => undefined })!;
    try {
      await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
      const port = (server.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/slots/slot-1`, { method: 'POST', headers: { apikey: token, 'content-type': 'application/json' }, body: JSON.stringify({ data: 'x' }) });
      expect(res.status).toBe(200);
      expect(lines.join('\n')).toContain(`storing in ${dir}`);
      expect(fs.readdirSync(dir).length).toBeGreaterThan(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('without GLOBAL_AUTH_TOKEN: a configuration line and exit code 2', () => {
    const errors: string[] = [];
    let code: number | undefined;
    expect(runSessionStore({ env: {}, err: (l) => errors.push(l), exit: (c) => (code = c) })).toBeNull();
    expect(code).toBe(2);
    expect(errors).toEqual([expect.stringMatching(/^session-store: configuration error: GLOBAL_AUTH_TOKEN: required/)]);
  });
});
