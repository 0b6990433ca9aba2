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

  it('cluster mode is off by default and needs MySQL, a cluster key and sane lease timings', () => {
    const d = dir();
    expect(loadConfig({ WA_BRIDGE_DATA_DIR: d })).toMatchObject({ cluster: false, maxSlots: 6, leaseTtlMs: 10_000, leaseRenewMs: 2_000, preferredSlots: [] });
    const base = { WA_BRIDGE_DATA_DIR: d, WA_BRIDGE_CLUSTER: '1' };
    const db = { WA_BRIDGE_DB_URL: 'mysql://root@127.0.0.1:3306/test' };
    expect(() => loadConfig(base)).toThrow(/^WA_BRIDGE_CLUSTER: cluster mode needs WA_BRIDGE_DB_URL/);
    expect(() => loadConfig({ ...base, ...db })).toThrow(/needs WA_BRIDGE_CLUSTER_KEY/);
    expect(() => loadConfig({ ...base, ...db, WA_BRIDGE_CLUSTER_KEY: 'short' })).toThrow(/^WA_BRIDGE_CLUSTER_KEY: /);
    const key = { WA_BRIDGE_CLUSTER_KEY: 'a-shared-secret-of-some-length' };
    expect(() => loadConfig({ ...base, ...db, ...key, WA_BRIDGE_LEASE_TTL_MS: '3000' })).toThrow(/^WA_BRIDGE_LEASE_TTL_MS: /);
    const c = loadConfig({ ...base, ...db, ...key, WA_BRIDGE_PREFERRED_SLOTS: '2, 4', WA_BRIDGE_NODE_NAME: 'shop-pc' });
    expect(c).toMatchObject({ cluster: true, preferredSlots: [2, 4], nodeName: 'shop-pc', sessionStore: 'mysql' });
    expect(() => loadConfig({ ...base, ...db, ...key, WA_BRIDGE_SESSION_STORE: 'local' })).toThrow(/^WA_BRIDGE_SESSION_STORE: cluster mode keeps snapshots/);
    expect(loadConfig({ WA_BRIDGE_DATA_DIR: d }).sessionStore).toBe('local');
    expect(() => loadConfig({ ...base, ...db, ...key, WA_BRIDGE_PREFERRED_SLOTS: '2,x' })).toThrow(/^WA_BRIDGE_PREFERRED_SLOTS: /);
    expect(() => loadConfig({ ...base, ...db, ...key, WA_BRIDGE_NODE_NAME: 'a b' })).toThrow(/^WA_BRIDGE_NODE_NAME: /);
    // The event table's fallback poll (pokes bring reads forward): 100 ms unless set.
    expect(c.eventPollMs).toBe(100);
    expect(loadConfig({ ...base, ...db, ...key, WA_BRIDGE_EVENT_POLL_MS: '1000' }).eventPollMs).toBe(1000);
    expect(() => loadConfig({ ...base, ...db, ...key, WA_BRIDGE_EVENT_POLL_MS: '5' })).toThrow(/^WA_BRIDGE_EVENT_POLL_MS: /);
  });

  it('a broken config file is named', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'config.json'), '{oops');
    expect(() => loadConfig({ WA_BRIDGE_DATA_DIR: d })).toThrow(/config\.json: not valid JSON/);
  });
});
