// `npm run desktop`: the desktop app from a checkout, on a machine that has Electron's binary
// (`node node_modules/electron/install.js` fetches it; npm install skips that download here).
// better-sqlite3 is rebuilt for Electron's ABI while the app runs and for Node's afterwards,
// so `npm test` keeps working.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;

let electron;
try {
  electron = require('electron'); // the path of the binary, once downloaded
} catch {
  electron = null;
}
if (typeof electron !== 'string' || !fs.existsSync(electron)) {
  console.error('desktop: no Electron binary here. Fetch it once with `node node_modules/electron/install.js` (needs internet).');
  process.exit(1);
}

let status = run(npm, ['run', 'build']);
if (status === 0) status = run(npx, ['electron-builder', 'install-app-deps']);
if (status === 0) status = run(electron, ['.']);
const restored = run(npm, ['rebuild', 'better-sqlite3']);
if (restored !== 0) console.error('desktop: `npm rebuild better-sqlite3` failed: npm test needs it rebuilt for Node');
process.exit(status || restored);
