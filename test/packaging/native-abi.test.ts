// Reading a native addon's ABI from the binary, and the check that makes `dist` fail loudly.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { abiProblems, addonAbi, electronAbi } from '../../scripts/packaging/native-abi.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'abi-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function addon(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
  fs.writeFileSync(path.join(tmp, rel), Buffer.from(`\x7fELF\0\0${text}\0\0`, 'latin1'));
}

describe('native addon ABI', () => {
  it("reads the ABI this Node's better-sqlite3 was built for", () => {
    const file = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
    expect(addonAbi(fs.readFileSync(file))).toEqual({ kind: 'node', abi: Number(process.versions.modules) });
  });

  it('tells NAN, Node-API and non-addon binaries apart', () => {
    expect(addonAbi(Buffer.from('..node_register_module_v143..'))).toEqual({ kind: 'node', abi: 143 });
    expect(addonAbi(Buffer.from('..napi_register_module_v1..'))).toEqual({ kind: 'napi' });
    expect(addonAbi(Buffer.from('sqlite3_extension_init'))).toEqual({ kind: 'none' });
  });

  it("knows Electron's ABI from the electron package and from node-abi's table", () => {
    const electronVersion = (JSON.parse(fs.readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
    expect(electronAbi(electronVersion, root)).toBe(Number(fs.readFileSync(path.join(root, 'node_modules/electron/abi_version'), 'utf8')));
    expect(electronAbi('40.0.0', root)).toBe(143);
    expect(() => electronAbi('999.0.0', root)).toThrow();
  });

  it('fails on an addon built for another runtime, names it and says what to do', () => {
    addon('node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_register_module_v115');
    addon('node_modules/better-sqlite3/build/Release/test_extension.node', 'sqlite3_extension_init');
    addon('node_modules/other/build/Release/napi.node', 'napi_register_module_v1');
    expect(abiProblems(tmp, 115, 'Node')).toEqual([]);
    const problems = abiProblems(tmp, 143, 'Electron 40.10.2');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')} was built for ABI 115 but Electron 40.10.2 needs ABI 143`);
  });

  it('fails when there is no addon at all (better-sqlite3 not unpacked)', () => {
    expect(abiProblems(path.join(tmp, 'nothing'), 143, 'Electron')[0]).toMatch(/^no native addon found/);
  });
});
