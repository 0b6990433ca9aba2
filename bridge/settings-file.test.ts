import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './files.js';
import { readSettingsFile, readSettingsOrEmpty, SettingsFileError, settingsFilePath, writeSettingsFile } from './settings-file.js';

const dirs: string[] = [];
const dir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-settings-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('settings file', () => {
  it('is null when missing and round-trips what was written, owner-only', () => {
    const d = dir();
    expect(readSettingsFile(d)).toBeNull();
    expect(readSettingsOrEmpty(d)).toEqual({});
    writeSettingsFile(d, { port: 3100, dbUrl: 'mysql://u:p@h/db' });
    expect(readSettingsFile(d)).toEqual({ port: 3100, dbUrl: 'mysql://u:p@h/db' });
    expect(fs.statSync(settingsFilePath(d)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(d)).toEqual(['config.json']); // no temporary file left behind
  });

  it('names the file and the fault when it is broken; the lenient reader gives {}', () => {
    const d = dir();
    fs.writeFileSync(settingsFilePath(d), '{"port": ');
    expect(() => readSettingsFile(d)).toThrow(SettingsFileError);
    expect(() => readSettingsFile(d)).toThrow(/config\.json: not valid JSON/);
    expect(readSettingsOrEmpty(d)).toEqual({});
    fs.writeFileSync(settingsFilePath(d), '[1, 2]');
    expect(() => readSettingsFile(d)).toThrow(/must hold a JSON object/);
  });

  it('an atomic write that fails keeps the old content and removes its temporary file', () => {
    const d = dir();
    const file = path.join(d, 'x.json');
    writeFileAtomic(file, 'old');
    fs.mkdirSync(`${file}.${process.pid}.tmp`); // the temporary path is taken: the write fails
    expect(() => writeFileAtomic(file, 'new')).toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
  });
});
