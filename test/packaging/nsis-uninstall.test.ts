// The Windows uninstaller's data question (build/installer.nsh, included by electron-builder's
// NSIS templates): asked only on a real uninstall, "No" (keep) by default and when silent, and a
// "Yes" removes the folder the app really keeps its data in, for per-user and all-users installs.
// NSIS cannot run here, so the script is read the way makensis would execute it, line by line.
import fs from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { userDataDir } from '../../electron/app-paths.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const config = loadYaml(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as { nsis: { include: string; deleteAppDataOnUninstall: boolean } };
const script = fs.readFileSync(path.join(root, config.nsis.include), 'utf8');

/** The statements of a macro, continuation lines joined, comments dropped. */
function macroBody(source: string, name: string): string[] {
  const match = new RegExp(`^!macro ${name}\\s*$([\\s\\S]*?)^!macroend`, 'm').exec(source);
  if (!match) return [];
  return match[1]!
    .replace(/\\\r?\n\s*/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith(';'));
}

const body = macroBody(script, 'customUnInstall');
const at = (pattern: RegExp) => body.findIndex((l) => pattern.test(l));

describe('Windows uninstaller: keep or delete the data', () => {
  it('is the only data removal: electron-builder’s own is off', () => {
    expect(config.nsis.deleteAppDataOnUninstall).toBe(false);
    expect(body.length).toBeGreaterThan(0);
  });

  it('asks only on a real uninstall, never during an update, and keeps the data when silent', () => {
    const notUpdate = at(/^\$\{ifNot\} \$\{isUpdated\}$/);
    const silent = at(/^IfSilent keep_data$/);
    const question = at(/^MessageBox /);
    const keep = at(/^keep_data:$/);
    expect([notUpdate, silent, question, keep].every((i) => i >= 0)).toBe(true);
    expect(notUpdate).toBeLessThan(silent);
    expect(silent).toBeLessThan(question);
    expect(question).toBeLessThan(keep);
    expect(at(/^RMDir /)).toBeGreaterThan(question);
    expect(at(/^RMDir /)).toBeLessThan(keep);
  });

  it('defaults to No (keep), also for /SD, and jumps past the removal on No', () => {
    const question = body[at(/^MessageBox /)]!;
    expect(question).toMatch(/^MessageBox MB_YESNO\|\S*MB_DEFBUTTON2\b/);
    expect(question).toMatch(/\/SD IDNO IDNO keep_data$/);
  });

  it('removes the folder the app keeps its data in, with the per-user %APPDATA% even after an all-users install', () => {
    const rmdir = at(/^RMDir /);
    expect(body[rmdir]).toBe(`RMDir /r "$APPDATA\\${path.basename(userDataDir('appData'))}"`);
    // An all-users uninstaller runs with the "all" shell context ($APPDATA = ProgramData);
    // follow the context as makensis would, for each install mode.
    for (const mode of ['CurrentUser', 'all'] as const) {
      let context = mode === 'all' ? 'all' : 'current';
      let skipping = false;
      for (const line of body.slice(0, rmdir)) {
        const cond = /^\$\{if\} \$installMode == "(\w+)"$/.exec(line);
        if (cond) skipping = cond[1] !== mode;
        else if (/^\$\{endif\}$/i.test(line)) skipping = false;
        else if (!skipping && /^SetShellVarContext (\w+)$/.test(line)) context = /^SetShellVarContext (\w+)$/.exec(line)![1]!;
      }
      expect(context, `$APPDATA at the removal, ${mode} install`).toBe('current');
    }
    // …and puts the context back for the rest of electron-builder's uninstaller.
    expect(body.slice(rmdir)).toEqual(expect.arrayContaining(['${if} $installMode == "all"', 'SetShellVarContext all']));
  });
});
