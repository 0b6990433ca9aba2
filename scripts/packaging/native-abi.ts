// Which Node ABI a native addon was built for, read from the binary itself. @electron/rebuild
// can report success offline while leaving Node's build in place (see docs/desktop.md), so
// `dist` compares what the addon exports with what the Electron it ships expects.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type AddonAbi = { kind: 'node'; abi: number } | { kind: 'napi' } | { kind: 'none' };

const NODE_REGISTER = /node_register_module_v(\d+)/;
const NAPI_REGISTER = 'napi_register_module_v1';

/** NAN/V8 addons export node_register_module_v<ABI>; Node-API addons are ABI-stable. */
export function addonAbi(binary: Buffer): AddonAbi {
  const text = binary.toString('latin1');
  const node = NODE_REGISTER.exec(text);
  if (node) return { kind: 'node', abi: Number(node[1]) };
  if (text.includes(NAPI_REGISTER)) return { kind: 'napi' };
  return { kind: 'none' }; // e.g. better-sqlite3's test_extension.node, a SQLite extension
}

/** The ABI (NODE_MODULE_VERSION) of an Electron release: the electron package's own record, else node-abi's table. */
export function electronAbi(version: string, projectDir: string): number {
  const require = createRequire(path.join(projectDir, 'package.json'));
  try {
    const pkgFile = require.resolve('electron/package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string };
    const recorded = path.join(path.dirname(pkgFile), 'abi_version');
    if (pkg.version === version && fs.existsSync(recorded)) return Number(fs.readFileSync(recorded, 'utf8').trim());
  } catch {
    // no electron package here: fall back to the table
  }
  const nodeAbi = require('node-abi') as { getAbi(target: string, runtime: string): string };
  return Number(nodeAbi.getAbi(version, 'electron'));
}

function* addonsUnder(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* addonsUnder(full);
    else if (entry.isFile() && entry.name.endsWith('.node')) yield full;
  }
}

/** Every Node addon under `dir` that will not load in a runtime with ABI `expected`. */
export function abiProblems(dir: string, expected: number, runtime: string): string[] {
  const problems: string[] = [];
  let checked = 0;
  for (const file of addonsUnder(dir)) {
    const found = addonAbi(fs.readFileSync(file));
    if (found.kind !== 'node') continue;
    checked++;
    if (found.abi !== expected) {
      problems.push(`${path.relative(dir, file)} was built for ABI ${found.abi} but ${runtime} needs ABI ${expected}: the archive would not open. Rebuild it for ${runtime} (online, or see docs/desktop.md).`);
    }
  }
  if (checked === 0) problems.push(`no native addon found under ${dir}: better-sqlite3 was not unpacked`);
  return problems;
}
