// Browser resolution with temp folders standing in for each OS layout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browserMissingMessage, findBrowser } from './find.js';

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'wab-find-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function touch(rel: string): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
  fs.chmodSync(file, 0o755);
  return file;
}

/** Absolute OS paths are looked up under the temp root. */
const underRoot = (p: string) => fs.existsSync(path.join(root, p.replace(/^[A-Za-z]:/, '').replace(/\\/g, '/')));

describe('findBrowser', () => {
  it('prefers CHROME_PATH (option or env) over everything else', () => {
    const custom = touch('custom/chrome');
    touch('usr/bin/chromium');
    expect(findBrowser({ chromePath: custom, platform: 'linux', env: {}, exists: fs.existsSync })).toEqual({
      path: custom,
      source: 'CHROME_PATH',
    });
    expect(findBrowser({ platform: 'linux', env: { CHROME_PATH: custom }, exists: fs.existsSync })?.source).toBe('CHROME_PATH');
  });

  it('skips a CHROME_PATH that does not exist', () => {
    touch('usr/bin/chromium');
    const found = findBrowser({ chromePath: '/nope/chrome', platform: 'linux', env: {}, exists: underRoot });
    expect(found).toEqual({ path: '/usr/bin/chromium', source: 'system' });
  });

  it('uses the bundled browser laid out by @puppeteer/browsers, newest build of this OS first', () => {
    const bundled = path.join(root, 'bundled');
    const older = touch('bundled/chrome/linux-120.0.6099.109/chrome-linux64/chrome');
    const newer = touch('bundled/chrome/linux-131.0.6778.85/chrome-linux64/chrome');
    touch('bundled/chrome/win64-140.0.1.1/chrome-win64/chrome.exe');
    touch('usr/bin/google-chrome');
    expect(older).not.toBe(newer);
    expect(findBrowser({ bundledDir: bundled, platform: 'linux', env: {}, exists: fs.existsSync })).toEqual({
      path: newer,
      source: 'bundled',
    });
    const win = findBrowser({ bundledDir: bundled, platform: 'win32', env: {}, exists: fs.existsSync });
    expect(win?.source).toBe('bundled');
    expect(win?.path).toContain('win64-140.0.1.1');
  });

  it('falls through an empty or missing bundled folder', () => {
    fs.mkdirSync(path.join(root, 'empty'));
    touch('opt/google/chrome/chrome');
    for (const bundledDir of [path.join(root, 'empty'), path.join(root, 'missing')]) {
      expect(findBrowser({ bundledDir, platform: 'linux', env: {}, exists: underRoot })).toEqual({
        path: '/opt/google/chrome/chrome',
        source: 'system',
      });
    }
  });

  it('linux: Chrome, then Edge, then Chromium', () => {
    touch('usr/bin/chromium');
    expect(findBrowser({ platform: 'linux', env: {}, exists: underRoot })?.path).toBe('/usr/bin/chromium');
    touch('opt/microsoft/msedge/msedge');
    expect(findBrowser({ platform: 'linux', env: {}, exists: underRoot })?.path).toBe('/opt/microsoft/msedge/msedge');
    touch('usr/bin/google-chrome-stable');
    expect(findBrowser({ platform: 'linux', env: {}, exists: underRoot })?.path).toBe('/usr/bin/google-chrome-stable');
  });

  it('darwin: /Applications and ~/Applications, Chrome before Edge before Chromium', () => {
    const env = { HOME: '/Users/me' };
    touch('Users/me/Applications/Chromium.app/Contents/MacOS/Chromium');
    expect(findBrowser({ platform: 'darwin', env, exists: underRoot })?.path).toBe(
      '/Users/me/Applications/Chromium.app/Contents/MacOS/Chromium',
    );
    touch('Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge');
    expect(findBrowser({ platform: 'darwin', env, exists: underRoot })?.path).toBe(
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    );
    touch('Applications/Google Chrome.app/Contents/MacOS/Google Chrome');
    expect(findBrowser({ platform: 'darwin', env, exists: underRoot })?.path).toBe(
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    );
  });

  it('win32: Program Files from the environment (any case), per-user installs, Edge as fallback', () => {
    const env = { ProgramFiles: 'C:\\PF', 'PROGRAMFILES(X86)': 'C:\\PF86', LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' };
    touch('PF86/Microsoft/Edge/Application/msedge.exe');
    expect(findBrowser({ platform: 'win32', env, exists: underRoot })?.path).toBe('C:\\PF86\\Microsoft\\Edge\\Application\\msedge.exe');
    touch('Users/me/AppData/Local/Google/Chrome/Application/chrome.exe');
    expect(findBrowser({ platform: 'win32', env, exists: underRoot })?.path).toBe(
      'C:\\Users\\me\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
    );
    touch('PF/Google/Chrome/Application/chrome.exe');
    expect(findBrowser({ platform: 'win32', env, exists: underRoot })?.path).toBe('C:\\PF\\Google\\Chrome\\Application\\chrome.exe');
  });

  it('returns null when nothing is installed, and the message says what to install', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(findBrowser({ platform, env: {}, exists: underRoot })).toBeNull();
    }
    expect(browserMissingMessage('linux')).toMatch(/Install Chromium .*apt install chromium.*CHROME_PATH/);
    expect(browserMissingMessage('win32')).toMatch(/Google Chrome .*Microsoft Edge/);
    expect(browserMissingMessage('darwin')).toMatch(/Google Chrome/);
  });

  it('finds the installed browser of this machine with the default checks (Debian Chromium here)', () => {
    const found = findBrowser({ env: {} });
    expect(found?.source).toBe('system');
    fs.accessSync(found!.path, fs.constants.X_OK);
  });
});
