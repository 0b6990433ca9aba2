// The snapshot file: encryption, authenticated header, wrong key vs damage; the session key.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../bridge/config.js';
import { openSnapshot, readHeader, sealSnapshot } from '../../bridge/snapshots/format.js';
import { KEY_FILE, loadSessionKey, parseSessionKey } from '../../bridge/snapshots/key.js';
import { tempDir } from '../helpers/bridge.js';

const info = { slot: 2, wid: '15550001111@c.us', createdAt: 1_700_000_000_000, reason: 'manual' as const };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code ?? 'none';
  }
  return 'no error';
}

describe('snapshot format', () => {
  const key = randomBytes(32);
  const archive = randomBytes(5000);

  it('round-trips, with the header readable without the key', () => {
    const { blob, header } = sealSnapshot(key, archive, info);
    expect(readHeader(blob).header).toEqual(header);
    expect(header).toMatchObject({ v: 1, slot: 2, wid: info.wid, createdAt: info.createdAt, plainBytes: 5000 });
    expect(openSnapshot(key, blob).archive.equals(archive)).toBe(true);
    // The archive never appears in the clear.
    expect(blob.includes(archive.subarray(0, 64))).toBe(false);
  });

  it('uses a fresh nonce each time', () => {
    expect(sealSnapshot(key, archive, info).blob.equals(sealSnapshot(key, archive, info).blob)).toBe(false);
  });

  it('another key → WRONG_KEY, not "corrupt"', () => {
    const { blob } = sealSnapshot(key, archive, info);
    expect(codeOf(() => openSnapshot(randomBytes(32), blob))).toBe('WRONG_KEY');
  });

  it('a flipped ciphertext byte, a forged header or a truncation → CORRUPT', () => {
    const { blob } = sealSnapshot(key, archive, info);
    const flipped = Buffer.from(blob);
    flipped[flipped.length - 10]! ^= 1;
    expect(codeOf(() => openSnapshot(key, flipped))).toBe('CORRUPT');

    const forged = Buffer.from(blob.toString('latin1').replace('15550001111@c.us', '15550002222@c.us'), 'latin1');
    expect(readHeader(forged).header.wid).toBe('15550002222@c.us');
    expect(codeOf(() => openSnapshot(key, forged))).toBe('CORRUPT');

    expect(codeOf(() => openSnapshot(key, blob.subarray(0, blob.length - 100)))).toBe('CORRUPT');
    expect(codeOf(() => openSnapshot(key, blob.subarray(0, 30)))).toBe('CORRUPT');
    expect(codeOf(() => openSnapshot(key, Buffer.from('PK\x03\x04 not ours at all')))).toBe('CORRUPT');
  });
});

describe('session key', () => {
  it('is generated once into the data dir with mode 0600 and reused', () => {
    const dir = tempDir('wab-key-');
    const first = loadSessionKey(dir);
    expect(first.length).toBe(32);
    expect(fs.statSync(path.join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadSessionKey(dir).equals(first)).toBe(true);
  });

  it('WA_BRIDGE_SESSION_KEY wins and is checked', () => {
    const dir = tempDir('wab-key-');
    const configured = randomBytes(32);
    expect(loadSessionKey(dir, configured.toString('base64')).equals(configured)).toBe(true);
    expect(fs.existsSync(path.join(dir, KEY_FILE))).toBe(false);
    expect(() => parseSessionKey(randomBytes(16).toString('base64'), 'WA_BRIDGE_SESSION_KEY')).toThrow(/32 bytes/);
    expect(() => parseSessionKey('not base64!', 'WA_BRIDGE_SESSION_KEY')).toThrow(/base64/);
  });

  it('a bad key stops start-up naming the variable, without echoing the value', () => {
    const bad = randomBytes(20).toString('base64');
    let message = '';
    try {
      loadConfig({ WA_BRIDGE_DATA_DIR: tempDir('wab-key-'), WA_BRIDGE_SESSION_KEY: bad });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/^WA_BRIDGE_SESSION_KEY: must be 32 bytes of base64/);
    expect(message).not.toContain(bad);
  });
});
