// The packaged layout, built for real: `npm run build`, then electron-builder `--linux dir`
// from electron-builder.yml with a stand-in Electron (electronDist) and a stand-in Chrome for
// Testing. Its afterPack hook flips the fuses and checks the layout; this test checks the
// result again from the outside and then starts the packed bridge with Node the way Electron
// would see the archive: plain files read from app.asar, the worker from app.asar.unpacked.
import { extractAll, extractFile, listPackage } from '@electron/asar';
import { FuseV1Options } from '@electron/fuses';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load as loadYaml } from 'js-yaml';
import { bundledBrowserDir } from '../../electron/app-paths.js';
import { findBundledBrowser } from '../../bridge/engine/chromium/find.js';
import { RUNTIME_ABI_ENV } from '../../scripts/packaging/after-pack.js';
import { fuseProblems, fusePolicy, readFuseWire } from '../../scripts/packaging/fuses.js';
import { layoutProblems, PackedApp, workerClosure } from '../../scripts/packaging/layout.js';
import { abiProblems, electronAbi } from '../../scripts/packaging/native-abi.js';
import { ARCHIVE_WORKER, runtimeSpec } from '../../scripts/packaging/runtime-spec.js';
import { standInElectron } from './stand-in-electron.js';
import { waitFor } from '../helpers/bridge.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
const electronVersion = (JSON.parse(fs.readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
const BROWSER_BUILD = '131.0.6778.85';

let tmp: string;
let appOutDir: string;
let resources: string;

async function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  try {
    await run(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    // electron-builder's own report (the afterPack problems among it), without its long dependency lists
    const report = `${stdout}\n${stderr}`.split('\n').filter((l) => !/duplicate dependency|cannot find path/.test(l)).slice(-40).join('\n');
    throw new Error(`${path.basename(args[0])} failed:\n${report}`);
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'packaged-layout-'));
  const electronDist = path.dirname(standInElectron(path.join(tmp, 'electron-dist', 'electron')));
  const browser = path.join(tmp, 'chromium');
  standInElectron(path.join(browser, 'chrome', `linux-${BROWSER_BUILD}`, 'chrome-linux64', 'chrome')); // any executable will do

  // npm run build (the compiled bridge and shell, the admin app)
  await node([path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
  await node([path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn']);

  const config = loadYaml(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
  Object.assign(config, {
    electronDist,
    electronVersion,
    npmRebuild: false, // never rebuild the shared node_modules in place
    directories: { ...config.directories, output: path.join(tmp, 'release') },
    extraResources: config.extraResources.map((e: { to: string }) => (e.to === 'chromium' ? { ...e, from: browser } : e)),
  });
  const configFile = path.join(tmp, 'electron-builder.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  await node([path.join(root, 'node_modules/electron-builder/cli.js'), '--linux', 'dir', '--x64', '--config', configFile, '--projectDir', root], {
    WA_BRIDGE_SKIP_CHROMIUM: '1',
    // The bridge below runs on this Node, so its addon must match this Node, not Electron.
    [RUNTIME_ABI_ENV]: process.versions.modules,
  });
  appOutDir = path.join(tmp, 'release', 'linux-unpacked');
  resources = path.join(appOutDir, 'resources');
}, 300_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 120_000); // two unpacked copies of the app: slow to delete on a loaded machine

describe('packaged layout', () => {
  it('has every runtime file where the app looks for it', () => {
    expect(fs.existsSync(path.join(resources, 'app.asar'))).toBe(true);
    expect(layoutProblems(resources, runtimeSpec(pkg, 'linux'))).toEqual([]);
    const app = new PackedApp(resources);
    const closure = workerClosure(app, ARCHIVE_WORKER);
    // The migrations live in sqlite-schema.js, which the worker loads: unpacked with it.
    expect(closure.files).toEqual(expect.arrayContaining([ARCHIVE_WORKER, 'dist/bridge/archive/sqlite-schema.js', 'dist/bridge/archive/migrations.js']));
    expect(closure.packages).toEqual(expect.arrayContaining(['better-sqlite3', 'bindings']));
    for (const rel of [pkg.main, 'dist/electron/preload.cjs', 'dist/bridge/bridge.js', 'dist/renderer/index.html']) {
      expect(app.entries.get(rel), rel).toEqual({ unpacked: false }); // plain reads stay in the archive
    }
  });

  it('ships the slot browser outside the archive, where the app finds it', () => {
    const dir = bundledBrowserDir({ isPackaged: true, resourcesPath: resources, appPath: path.join(resources, 'app.asar') });
    expect(findBundledBrowser(dir, 'linux', fs.existsSync)).toBe(path.join(resources, 'chromium', 'chrome', `linux-${BROWSER_BUILD}`, 'chrome-linux64', 'chrome'));
  });

  it('has its fuses flipped', async () => {
    const wire = await readFuseWire(path.join(appOutDir, 'wa-bridge'));
    expect(fuseProblems(wire, fusePolicy('linux'))).toEqual([]);
    // The list, independent of the policy module: '0' off, '1' on.
    const state = (fuse: FuseV1Options) => String.fromCharCode(wire[fuse]!);
    expect(state(FuseV1Options.RunAsNode)).toBe('0');
    expect(state(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe('0');
    expect(state(FuseV1Options.EnableNodeCliInspectArguments)).toBe('0');
    expect(state(FuseV1Options.OnlyLoadAppFromAsar)).toBe('1');
    for (const platform of ['darwin', 'win32']) expect(fusePolicy(platform)[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
  });

  it("would fail dist here: offline, the packed addon still carries this Node's ABI, not Electron's", () => {
    const unpacked = path.join(resources, 'app.asar.unpacked');
    expect(abiProblems(unpacked, Number(process.versions.modules), 'Node')).toEqual([]);
    const problems = abiProblems(unpacked, electronAbi(electronVersion, root), `Electron ${electronVersion}`);
    expect(problems.join('\n')).toContain(`was built for ABI ${process.versions.modules} but Electron ${electronVersion} needs ABI ${electronAbi(electronVersion, root)}`);
  });

  describe('the session-store service in the installed app', () => {
    it('has a launcher that runs the app executable with --session-store', async () => {
      const launcher = path.join(resources, 'bin', 'session-store');
      expect(fs.statSync(launcher).mode & 0o111).not.toBe(0);
      expect(fs.readFileSync(path.join(resources, 'bin', 'session-store.cmd'), 'utf8')).toContain('--session-store %*');
      // The stand-in Electron echoes its arguments: the launcher found the app's executable.
      const { stdout } = await run(launcher, ['--extra']);
      expect(stdout.trim()).toBe('stand-in for Electron --session-store --extra');
    });

    it('serves from the archive (started with Node, as the app does in --session-store mode)', async () => {
      // Only what the service loads (it imports nothing else of the bridge), plus package.json (ESM).
      const view = path.join(tmp, 'store-view');
      const asarFile = path.join(resources, 'app.asar');
      for (const entry of listPackage(asarFile, { isPack: false })) {
        const rel = entry.replace(/^[/\\]/, '');
        if (rel !== 'package.json' && !(rel.startsWith('dist/bridge/session-store/') && rel.endsWith('.js'))) continue;
        fs.mkdirSync(path.dirname(path.join(view, rel)), { recursive: true });
        fs.writeFileSync(path.join(view, rel), extractFile(asarFile, rel));
      }
      const token = 'layout-test-store-token-0123456789';
      const child = spawn(process.execPath, [path.join(view, 'dist', 'bridge', 'session-store', 'main.js')], {
        cwd: tmp,
        env: { ...process.env, GLOBAL_AUTH_TOKEN: token, SESSION_STORE_PORT: '0', SESSION_STORE_HOST: '127.0.0.1', SESSION_STORE_DIR: path.join(tmp, 'store-data') },
      });
      const output: string[] = [];
      child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
      try {
        const port = await waitFor(() => /listening on 127\.0\.0\.1:(\d+)/.exec(output.join(''))?.[1], 30_000, `the packed session store to listen (output: ${output.join('')})`);
        const url = `http://127.0.0.1:${port}/slots/slot-1`;
        expect((await fetch(url)).status).toBe(401);
        const stored = await fetch(url, { method: 'POST', headers: { apikey: token, 'content-type': 'application/json' }, body: JSON.stringify({ data: 'packed' }) });
        expect(stored.status).toBe(200);
        expect(await (await fetch(url, { headers: { apikey: token } })).json()).toMatchObject({ success: true, data: 'packed' });
      } finally {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    });
  });

  describe('the packed bridge, started with Node', () => {
    let child: ChildProcess;
    let base: string;
    const token = 'layout-test-admin-token-0123456789';
    const output: string[] = [];

    beforeAll(async () => {
      // Electron's view of the app: app.asar read as a folder; app.asar.unpacked beside it.
      const view = path.join(tmp, 'view', 'resources');
      extractAll(path.join(resources, 'app.asar'), path.join(view, 'app.asar'));
      fs.symlinkSync(path.join(resources, 'app.asar.unpacked'), path.join(view, 'app.asar.unpacked'), 'dir');
      child = spawn(process.execPath, [path.join(view, 'app.asar', 'dist', 'bridge', 'main.js')], {
        cwd: tmp,
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WA_BRIDGE_ENGINE: 'demo', WA_BRIDGE_DEMO_SCAN_MS: '100', WA_BRIDGE_SLOTS: '1', WA_BRIDGE_DATA_DIR: path.join(tmp, 'data'), WA_BRIDGE_ADMIN_TOKEN: token },
      });
      child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
      const port = await waitFor(() => /admin app at http:\/\/localhost:(\d+)\//.exec(output.join(''))?.[1], 30_000, `the packed bridge to listen (output: ${output.join('')})`);
      base = `http://127.0.0.1:${port}`;
    }, 60_000);

    afterAll(async () => {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    });

    const api = (route: string, body?: unknown) =>
      fetch(`${base}${route}`, { method: body ? 'POST' : 'GET', headers: { apikey: token, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });

    it('serves the admin app from the archive', async () => {
      const html = await (await fetch(`${base}/`)).text();
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(`${base}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
    });

    it('writes to its archive through the worker loaded from app.asar.unpacked', async () => {
      expect((await api('/api/connect', { slot: 1 })).status).toBe(200);
      await waitFor(async () => ((await (await api('/api/slots')).json()) as Array<{ slot: number; ready: boolean }>).find((s) => s.slot === 1)?.ready, 15_000, 'slot 1 ready');
      const sent = await api('/api/send', { slot: 1, phone: '962781523783', message: 'packed layout works' });
      expect(sent.status).toBe(200);
      const rows = await waitFor(async () => {
        const body = (await (await api('/api/archive/search?slot=1&query=packed&limit=5')).json()) as { data?: Array<{ body: string }> };
        return body.data?.length ? body.data : null;
      }, 15_000, 'the message in the archive');
      expect(rows[0].body).toBe('packed layout works');
      expect(fs.existsSync(path.join(tmp, 'data', 'archive.db'))).toBe(true);
      if (process.platform === 'linux') {
        // The archive's addon was mapped from the unpacked folder (by the worker), not from the archive view.
        const maps = fs.readFileSync(`/proc/${child.pid}/maps`, 'utf8');
        expect(maps).toContain(path.join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'));
      }
    });
  });
});
