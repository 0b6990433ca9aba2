import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));

describe('config', () => {
  it('has sensible defaults', () => {
    const c = loadConfig({ WA_BRIDGE_DATA_DIR: dir() });
    expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', engine: 'wwebjs', slots: 6, ratePerMinute: 10, ratePerHour: 100, ratePerDay: 1000, bodyLimitBytes: 23_418_200 });
    expect(c.allowCidrs).toContain('192.168.0.0/16');
    expect(c.corsOrigins).toEqual([]);
  });

  it('env overrides the data-dir file; explicit overrides win over env', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ slots: 3, port: 4000 }));
    const c = loadConfig({ WA_BRIDGE_DATA_DIR: d, PORT: '5000' }, { slots: 2 });
    expect([c.slots, c.port]).toEqual([2, 5000]);
    expect(loadConfig({ WA_BRIDGE_DATA_DIR: d }).slots).toBe(3);
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ WA_BRIDGE_ENGINE: 'selenium' }, /^WA_BRIDGE_ENGINE: /],
    [{ WA_BRIDGE_SLOTS: '0' }, /^WA_BRIDGE_SLOTS: /],
    [{ WA_BRIDGE_DB_URL: 'postgres://x' }, /^WA_BRIDGE_DB_URL: must be a mysql/],
    [{ WA_BRIDGE_ADMIN_TOKEN: 'short' }, /^WA_BRIDGE_ADMIN_TOKEN: /],
  ])('%j is refused naming the variable', (env, message) => {
    expect(() => loadConfig({ WA_BRIDGE_DATA_DIR: dir(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ WA_BRIDGE_DATA_DIR: dir(), ...env })).toThrow(message);
  });

  it('a broken config file is named', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'config.json'), '{oops');
    expect(() => loadConfig({ WA_BRIDGE_DATA_DIR: d })).toThrow(/config\.json: not valid JSON/);
  });
});
