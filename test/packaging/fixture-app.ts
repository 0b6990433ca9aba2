// A small app laid out like the packed WA Bridge (main, preload, bridge, a worker with an
// import graph, a native package, the admin app), packed with @electron/asar the way a given
// unpack rule would pack it: the checker's negative cases run against these in a second.
import { createPackageWithOptions } from '@electron/asar';
import fs from 'node:fs';
import path from 'node:path';
import type { RuntimeSpec } from '../../scripts/packaging/layout.js';

const FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'app', main: 'dist/electron/main.js' }),
  'dist/electron/main.js': "import '../bridge/bridge.js';\n",
  'dist/electron/preload.cjs': "require('electron');\n",
  'dist/bridge/bridge.js': "export { x } from './archive/client.js';\n",
  'dist/bridge/archive/client.js': 'export const x = 1;\n',
  'dist/bridge/archive/worker.js': "import { parentPort } from 'node:worker_threads';\nimport { open } from './db.js';\n",
  'dist/bridge/archive/db.js': "import Database from 'native-db';\nimport { MIGRATIONS } from './schema.js';\nexport const open = () => new Database(MIGRATIONS);\n",
  'dist/bridge/archive/schema.js': "export const MIGRATIONS = ['CREATE TABLE t (x)'];\n",
  'node_modules/native-db/package.json': JSON.stringify({ name: 'native-db', main: 'lib/index.js', dependencies: { loader: '1', 'install-only': '1' } }),
  'node_modules/native-db/lib/index.js': "module.exports = require('loader')('native_db.node');\n",
  'node_modules/native-db/build/Release/native_db.node': 'ELF…node_register_module_v115…',
  'node_modules/loader/package.json': JSON.stringify({ name: 'loader', exports: { '.': { require: './loader.js' } } }),
  'node_modules/loader/loader.js': "const path = require('path');\nmodule.exports = (n) => require(path.join('..', n));\n",
  'node_modules/install-only/package.json': JSON.stringify({ name: 'install-only', main: 'i.js' }),
  'node_modules/install-only/i.js': '',
  'dist/renderer/index.html': '<script type="module" src="/assets/index-abc.js"></script><link rel="stylesheet" href="/assets/index-abc.css">',
  'dist/renderer/assets/index-abc.js': 'console.log(1)',
  'dist/renderer/assets/index-abc.css': 'body{}',
};

export const FIXTURE_SPEC: RuntimeSpec = {
  plain: ['package.json', 'dist/electron/main.js', 'dist/electron/preload.cjs', 'dist/bridge/bridge.js'],
  workers: ['dist/bridge/archive/worker.js'],
  rendererIndex: 'dist/renderer/index.html',
};

/** The unpack rule that works: the worker's folder and the native package with its loader. */
export const GOOD_UNPACK = '{dist/bridge/archive,node_modules/native-db,node_modules/native-db/**,node_modules/loader}';

/** Packs the fixture app into `<dir>/resources/app.asar` (+ .unpacked); `drop` leaves files out. */
export async function packFixture(dir: string, unpackDir: string, drop: string[] = []): Promise<string> {
  const src = path.join(dir, 'src');
  for (const [rel, text] of Object.entries(FILES)) {
    if (drop.includes(rel)) continue;
    fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    fs.writeFileSync(path.join(src, rel), text);
  }
  const resources = path.join(dir, 'resources');
  fs.mkdirSync(resources, { recursive: true });
  await createPackageWithOptions(src, path.join(resources, 'app.asar'), { unpackDir });
  return resources;
}
