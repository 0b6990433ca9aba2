// electron-builder.yml against electron-builder's own schema, and its paths against what
// `npm run build` produces (package.json "main", tsconfig.build.json, vite.config.ts) and what
// the app looks up at run time (app-paths.ts).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_ID, BUNDLED_BROWSER_FOLDER, PRELOAD_FILE, PRODUCT_NAME, TRAY_ICON_FOLDER, rendererDir } from './app-paths.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
// Both come with electron-builder (a devDependency); neither ships typings of its own here.
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: { isEnabled: boolean; add(): void }): Promise<void>;
};

type Config = Record<string, any>;
const config = yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Config;
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Config;
const tsBuild = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as Config;
const tsBase = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8')) as Config;

/** Where tsc puts a source file under tsconfig.build.json. */
function emitted(source: string): string {
  const opts = { ...tsBase.compilerOptions, ...tsBuild.compilerOptions };
  const rel = path.relative(path.resolve(root, opts.rootDir ?? '.'), path.resolve(root, source));
  return path.join(opts.outDir, rel).replace(/\.cts$/, '.cjs').replace(/\.ts$/, '.js').split(path.sep).join('/');
}

/** A simple glob check ("dir/**" style, as used in `files`). */
function covered(file: string, patterns: string[]): boolean {
  const positive = patterns.filter((p) => !p.startsWith('!'));
  const negative = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const match = (p: string): boolean => path.matchesGlob(file, p);
  return positive.some(match) && !negative.some(match);
}

describe('electron-builder.yml', () => {
  // Loading electron-builder's schema takes seconds, tens of seconds on a busy machine.
  it("passes electron-builder's schema validation", async () => {
    await expect(validateConfiguration(config, { isEnabled: false, add() {} })).resolves.toBeUndefined();
  }, 90_000);

  it('packs what npm run build emits: main, preload, bridge and renderer', () => {
    expect(pkg.main).toBe(emitted('electron/main.ts'));
    expect(tsBuild.include).toEqual(expect.arrayContaining(['bridge', 'electron']));
    const files: string[] = config.files;
    for (const out of [pkg.main, emitted(`electron/${PRELOAD_FILE.replace(/\.cjs$/, '.cts')}`), emitted('bridge/bridge.ts'), 'dist/renderer/index.html', 'package.json']) {
      expect(covered(out, files), `${out} is packed`).toBe(true);
    }
    expect(covered('dist/electron/main.js.map', files)).toBe(false);
    expect(covered('dist/electron/preload.test.js', files)).toBe(false);
    expect(fs.existsSync(path.join(root, 'electron', PRELOAD_FILE.replace(/\.cjs$/, '.cts')))).toBe(true);
  });

  it("builds the renderer into the folder it packs (vite's outDir)", async () => {
    const vite = (await import('../vite.config.js')).default as Config;
    const outDir = path.resolve(root, vite.root ?? '.', vite.build.outDir);
    expect(path.relative(root, outDir).split(path.sep).join('/')).toBe('dist/renderer');
    // …which is where the shell points the bridge's static files (inside app.asar).
    expect(rendererDir({ appPath: root })).toBe(outDir);
  });

  it('ships the browser and tray icons where the app looks for them', () => {
    const extra: Array<{ from: string; to: string }> = config.extraResources;
    expect(extra).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: 'build/chromium', to: BUNDLED_BROWSER_FOLDER }),
        expect.objectContaining({ from: 'build/tray', to: TRAY_ICON_FOLDER }),
      ]),
    );
    for (const name of ['tray.png', 'tray@2x.png', 'trayTemplate.png', 'trayTemplate@2x.png']) {
      expect(fs.existsSync(path.join(root, 'build', 'tray', name)), name).toBe(true);
    }
    expect(fs.existsSync(path.join(root, config.beforePack))).toBe(true);
    expect(fs.existsSync(path.join(root, config.afterPack))).toBe(true); // fuses + layout/ABI checks
    expect(config.asarUnpack).toContain('dist/bridge/archive/**'); // the SQLite worker
  });

  it('unpacks native modules from the asar and rebuilds them only at dist time', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/node_modules/better-sqlite3/**', '**/*.node']));
    expect(config.npmRebuild).toBe(true);
    expect(pkg.scripts?.postinstall ?? '').not.toMatch(/electron-builder|electron-rebuild|install-app-deps/);
    expect(pkg.scripts.dist).toMatch(/electron-builder/);
    // dist leaves Electron's build in node_modules; postdist puts Node's back so npm test works.
    expect(pkg.scripts.postdist).toBe('npm rebuild better-sqlite3');
  });

  it('targets NSIS per-user with a desktop shortcut, dmg, AppImage and deb', () => {
    expect(config.productName).toBe(PRODUCT_NAME);
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i);
    expect(config.appId).toBe(APP_ID); // the AppUserModelId main.ts sets must match the shortcuts'
    expect(config.win.target.map((t: Config) => t.target ?? t)).toContain('nsis');
    // Per-user by default; the installer offers "for all users" (with elevation) as the other choice.
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true, createDesktopShortcut: 'always', deleteAppDataOnUninstall: false });
    expect(fs.existsSync(path.join(root, config.nsis.include))).toBe(true);
    expect(config.mac.target.map((t: Config) => t.target ?? t)).toContain('dmg');
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.publish).toBeNull(); // updates are opt-in at run time
  });

  it("installs an AppArmor profile with the deb for the app and for the slots' browser", () => {
    const template = fs.readFileSync(path.join(root, config.deb.appArmorProfile), 'utf8');
    // electron-builder fills these two in (FpmTarget); the deb installs under /opt/<productName>.
    const profile = template.replaceAll('${executable}', 'wa-bridge').replaceAll('${sanitizedProductName}', PRODUCT_NAME);
    const attachments = [...profile.matchAll(/^profile "([^"]+)" "([^"]+)" flags=\(unconfined\) \{\n\s+userns,/gm)].map((m) => m[2]);
    expect(attachments).toHaveLength(2);
    const opt = `/opt/${PRODUCT_NAME}`;
    expect(attachments).toContain(`${opt}/wa-bridge`);
    const browser = path.posix.join(opt, 'resources', BUNDLED_BROWSER_FOLDER, 'chrome', 'linux-131.0.6778.85', 'chrome-linux64', 'chrome');
    expect(attachments.some((glob) => path.posix.matchesGlob(browser, glob))).toBe(true);
    expect(config.appImage.artifactName).not.toMatch(/\s|productName/);
  });

  it('runs macOS builds hardened, with entitlements for V8 and the bundled Chrome for Testing, on both architectures', () => {
    expect(config.mac).toMatchObject({ hardenedRuntime: true });
    expect(config.mac.target.find((t: Config) => t.target === 'dmg').arch).toEqual(['arm64', 'x64']);
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const plist = fs.readFileSync(path.join(root, file), 'utf8');
      for (const key of ['com.apple.security.cs.allow-jit', 'com.apple.security.cs.allow-unsigned-executable-memory']) expect(plist, `${file} has ${key}`).toContain(`<key>${key}</key>\n  <true/>`);
    }
  });

  it('has icons of the sizes the installers need', () => {
    const pngSize = (file: string): [number, number] => {
      const buf = fs.readFileSync(path.join(root, file));
      expect(buf.subarray(1, 4).toString('ascii'), `${file} is a PNG`).toBe('PNG');
      return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
    };
    expect(pngSize(config.win.icon)).toEqual([1024, 1024]);
    expect(config.mac.icon).toBe(config.win.icon);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) expect(pngSize(path.join(config.linux.icon, `${size}x${size}.png`))).toEqual([size, size]);
  });
});
