// The layout checker (scripts/packaging/layout.ts) against small packed apps: right where the
// app looks for each file, and each way of getting it wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importSpecifiers, layoutProblems, packageName, PackedApp, rendererAssets, workerClosure } from '../../scripts/packaging/layout.js';
import { FIXTURE_SPEC, GOOD_UNPACK, packFixture } from './fixture-app.js';

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layout-check-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('layoutProblems', () => {
  it('accepts an app whose worker, native package and loader are unpacked', async () => {
    const resources = await packFixture(tmp(), GOOD_UNPACK);
    expect(layoutProblems(resources, FIXTURE_SPEC)).toEqual([]);
    const closure = workerClosure(new PackedApp(resources), 'dist/bridge/archive/worker.js');
    expect(closure.files.sort()).toEqual(['dist/bridge/archive/db.js', 'dist/bridge/archive/schema.js', 'dist/bridge/archive/worker.js']);
    expect(closure.packages.sort()).toEqual(['loader', 'native-db']); // not install-only: never loaded
  });

  it('fails when the worker stays inside the asar', async () => {
    const resources = await packFixture(tmp(), '{node_modules/native-db,node_modules/native-db/**,node_modules/loader}');
    const problems = layoutProblems(resources, FIXTURE_SPEC);
    expect(problems).toContain('worker module dist/bridge/archive/worker.js is inside app.asar: a worker thread cannot load it there (unpack it)');
    expect(problems.join('\n')).toContain('dist/bridge/archive/schema.js is inside app.asar'); // the migrations travel with it
  });

  it('fails when the native addon or a package the worker loads stays inside the asar', async () => {
    const resources = await packFixture(tmp(), '{dist/bridge/archive,node_modules/loader}');
    const problems = layoutProblems(resources, FIXTURE_SPEC).join('\n');
    expect(problems).toContain('native addon node_modules/native-db/build/Release/native_db.node is inside app.asar');
    expect(problems).toContain('package native-db (needed by worker dist/bridge/archive/worker.js) is not fully unpacked');
    const noLoader = layoutProblems(await packFixture(tmp(), '{dist/bridge/archive,node_modules/native-db,node_modules/native-db/**}'), FIXTURE_SPEC).join('\n');
    expect(noLoader).toContain('package loader (needed by worker');
  });

  it('fails when the admin app, one of its assets, the preload or a worker import is missing', async () => {
    const noRenderer = layoutProblems(await packFixture(tmp(), GOOD_UNPACK, ['dist/renderer/index.html']), FIXTURE_SPEC);
    expect(noRenderer).toContain('admin app dist/renderer/index.html is not in app.asar');
    const noAsset = layoutProblems(await packFixture(tmp(), GOOD_UNPACK, ['dist/renderer/assets/index-abc.js']), FIXTURE_SPEC);
    expect(noAsset).toContain('admin app asset dist/renderer/assets/index-abc.js is not in app.asar');
    const noPreload = layoutProblems(await packFixture(tmp(), GOOD_UNPACK, ['dist/electron/preload.cjs']), FIXTURE_SPEC);
    expect(noPreload).toContain('runtime file dist/electron/preload.cjs is not in app.asar');
    const noSchema = layoutProblems(await packFixture(tmp(), GOOD_UNPACK, ['dist/bridge/archive/schema.js']), FIXTURE_SPEC);
    expect(noSchema).toContain('worker dist/bridge/archive/worker.js needs dist/bridge/archive/schema.js, which is not in the app');
  });

  it('fails when an unpacked file was deleted from app.asar.unpacked', async () => {
    const resources = await packFixture(tmp(), GOOD_UNPACK);
    fs.rmSync(path.join(resources, 'app.asar.unpacked', 'dist', 'bridge', 'archive', 'db.js'));
    expect(layoutProblems(resources, FIXTURE_SPEC)).toContain('worker dist/bridge/archive/worker.js needs dist/bridge/archive/db.js, which is not in the app');
  });

  it('fails when the build should ship a browser but resources holds none the slots can start', async () => {
    const resources = await packFixture(tmp(), GOOD_UNPACK);
    const spec = { ...FIXTURE_SPEC, browser: { folder: 'chromium', platform: 'linux' as const } };
    expect(layoutProblems(resources, spec)).toEqual(["the slots' browser is missing: no chromium folder beside app.asar"]);
    fs.mkdirSync(path.join(resources, 'chromium', 'chrome', 'linux-131.0.6778.85', 'chrome-linux64'), { recursive: true });
    expect(layoutProblems(resources, spec)[0]).toMatch(/^no linux browser the slots can start in /);
    fs.writeFileSync(path.join(resources, 'chromium', 'chrome', 'linux-131.0.6778.85', 'chrome-linux64', 'chrome'), '', { mode: 0o755 });
    expect(layoutProblems(resources, spec)).toEqual([]);
  });

  it('reports a missing archive instead of throwing', () => {
    expect(layoutProblems(tmp(), FIXTURE_SPEC)[0]).toMatch(/^no app\.asar in /);
  });
});

describe('module graph helpers', () => {
  it('finds static, re-exported, dynamic and required specifiers', () => {
    const src = "import a from './a.js';\nimport { b } from \"pkg/sub\";\nexport * from './c.js';\nimport './side.js';\nconst d = await import('./d.js');\nconst e = require('@scope/e');\n";
    expect(importSpecifiers(src).sort()).toEqual(['./a.js', './c.js', './d.js', './side.js', '@scope/e', 'pkg/sub']);
  });

  it('names packages and skips builtins and relative paths', () => {
    expect(packageName('pkg/sub/x')).toBe('pkg');
    expect(packageName('@scope/e/f')).toBe('@scope/e');
    for (const s of ['node:fs', 'fs', 'path', './x.js', '/abs']) expect(packageName(s)).toBeNull();
  });

  it("lists the admin app's assets from index.html", () => {
    expect(rendererAssets('<script src="/assets/a.js"></script><link href="/assets/a.css"><link href="//cdn.example/x.css"><a href="https://x">')).toEqual(['assets/a.js', 'assets/a.css']);
  });
});
