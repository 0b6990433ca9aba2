import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaStore } from './store.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
function store(capBytes: number, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-'))): MediaStore {
  dirs.push(dir);
  const s = new MediaStore(dir, capBytes, logger);
  s.init();
  return s;
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

describe('MediaStore', () => {
  it('names files by sha256 and keeps one copy of repeated bytes', async () => {
    const s = store(1e9);
    const bytes = crypto.randomBytes(5000);
    const a = await s.put(bytes);
    const b = await s.put(Buffer.from(bytes));
    expect(a).toEqual({ sha256: sha(bytes), size: 5000 });
    expect(b).toEqual(a);
    expect(s.fileCount).toBe(1);
    expect(s.totalBytes).toBe(5000);
    expect(fs.readFileSync(s.filePath(a.sha256)).equals(bytes)).toBe(true);
    expect(s.has(a.sha256)).toBe(true);
    expect(s.has(null)).toBe(false);
    expect(() => s.filePath('../etc/passwd')).toThrow();
  });

  it('evicts the oldest files first to stay under the cap, never the file just stored', async () => {
    const s = store(2500);
    const files = [crypto.randomBytes(1000), crypto.randomBytes(1000), crypto.randomBytes(1000)];
    const puts = [];
    for (const f of files) puts.push(await s.put(f));
    expect(s.has(puts[0]!.sha256)).toBe(false);
    expect(fs.existsSync(s.filePath(puts[0]!.sha256))).toBe(false);
    expect(s.has(puts[1]!.sha256) && s.has(puts[2]!.sha256)).toBe(true);
    expect(s.totalBytes).toBe(2000);
    // A file bigger than the cap stays (until the next one arrives) and pushes out everything else.
    const big = await s.put(crypto.randomBytes(4000));
    expect(s.fileCount).toBe(1);
    expect(s.has(big.sha256)).toBe(true);
  });

  it('finds what an earlier run stored, drops half-written temp files, and forgets a file deleted by hand', async () => {
    const first = store(1e9);
    const kept = await first.put(crypto.randomBytes(300));
    fs.writeFileSync(path.join(first.dir, 'tmp', 'leftover'), 'partial');
    const again = store(1e9, first.dir);
    expect(again.has(kept.sha256)).toBe(true);
    expect(again.totalBytes).toBe(300);
    expect(fs.readdirSync(path.join(first.dir, 'tmp'))).toEqual([]);
    again.forget(kept.sha256);
    expect(again.has(kept.sha256)).toBe(false);
    expect(again.totalBytes).toBe(0);
  });

  it('applies a smaller cap at start-up, oldest first', async () => {
    const first = store(1e9);
    const old = await first.put(crypto.randomBytes(1000));
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(first.filePath(old.sha256), past, past);
    const recent = await first.put(crypto.randomBytes(1000));
    const capped = store(1500, first.dir);
    expect(capped.has(old.sha256)).toBe(false);
    expect(capped.has(recent.sha256)).toBe(true);
  });
});
