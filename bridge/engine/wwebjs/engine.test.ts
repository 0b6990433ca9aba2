// Engine behaviour that needs no browser: the no-browser failure, bad flags, calls before start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { BridgeError } from '../../domain/index.js';
import { browserMissingMessage } from '../chromium/index.js';
import { WwebjsEngine } from './engine.js';

let dataDir: string;
const logger = pino({ level: 'silent' });

function engine(over: Record<string, unknown> = {}, find?: ConstructorParameters<typeof WwebjsEngine>[2]) {
  const config = { ...loadConfig({}, { dataDir }), ...over };
  const slotDir = path.join(dataDir, 'slots', 'slot-1');
  return new WwebjsEngine({ slot: 1, slotDir, dataDir, logger, emit: () => undefined }, config, find);
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wab-engine-unit-'));
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('WwebjsEngine without a browser', () => {
  it('start() fails with the what-to-install message when no browser exists', async () => {
    const e = engine({}, { find: { platform: 'win32', env: {}, exists: () => false } });
    await expect(e.start()).rejects.toThrow(browserMissingMessage('win32'));
    expect(e.processInfo()).toEqual({ pid: null, rssBytes: null, pssBytes: null });
    await e.stop();
  });

  it('refuses extra Chromium flags that would break process hygiene', async () => {
    const e = engine({ chromiumArgs: '--mute-audio --user-data-dir=/tmp/elsewhere', chromePath: process.execPath });
    await expect(e.start()).rejects.toThrow(/may not set --user-data-dir/);
    await expect(e.start()).rejects.toThrow(/may not set --user-data-dir/); // not stuck "starting"
  });

  it('answers NOT_CONNECTED before start and after stop, and stop is idempotent', async () => {
    const e = engine();
    const err = await e.sendText('1@c.us', 'x').catch((x: unknown) => x);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('NOT_CONNECTED');
    await expect(e.getState()).rejects.toThrow(/no page/);
    await e.stop();
    await e.stop();
    await expect(e.resolvePhone('962781523783')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('keeps each slot in its own LocalAuth profile folder', () => {
    expect(engine().profileDir).toBe(path.join(dataDir, 'sessions', 'session-slot-1'));
  });
});
