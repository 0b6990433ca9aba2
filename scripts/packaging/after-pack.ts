// electron-builder afterPack: harden the packed binary (fuses), then refuse to go on when the
// packed app would not run: a runtime file where it cannot be loaded, a fuse left on, or a
// native addon built for another ABI than the Electron it ships with.
import fs from 'node:fs';
import path from 'node:path';
import { BUNDLED_BROWSER_FOLDER } from '../../electron/app-paths.js';
import { electronBinary, flipAppFuses, fuseProblems, fusePolicy, readFuseWire } from './fuses.js';
import { layoutProblems } from './layout.js';
import { abiProblems, electronAbi } from './native-abi.js';
import { runtimeSpec } from './runtime-spec.js';

/** The part of electron-builder's AfterPackContext used here. */
export interface AfterPackContext {
  appOutDir: string;
  electronPlatformName: string;
  arch: number;
  packager: {
    projectDir: string;
    appInfo: { productFilename: string };
    executableName?: string;
    info: { framework: { version: string } };
    config: { extraResources?: unknown };
  };
}

/** builder-util's Arch enum. */
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

/**
 * The packaged-layout test runs the packed bridge with Node instead of Electron: it names the
 * ABI of that Node here. Never set for a real build.
 */
export const RUNTIME_ABI_ENV = 'WA_BRIDGE_LAYOUT_RUNTIME_ABI';

export function resourcesDir(appOutDir: string, platform: string, productFilename: string): string {
  return platform === 'darwin' || platform === 'mas' ? path.join(appOutDir, `${productFilename}.app`, 'Contents', 'Resources') : path.join(appOutDir, 'resources');
}

/** The folder extraResources copies to resources/chromium, when it exists (fetch-chromium may ship none). */
export function browserSource(extraResources: unknown, projectDir: string): string | null {
  const list = Array.isArray(extraResources) ? extraResources : [];
  for (const item of list as Array<{ from?: string; to?: string }>) {
    if (item && typeof item === 'object' && item.to === BUNDLED_BROWSER_FOLDER && item.from) {
      const from = path.resolve(projectDir, item.from);
      if (fs.existsSync(from)) return from;
    }
  }
  return null;
}

export async function afterPack(context: AfterPackContext, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { appOutDir, electronPlatformName: platform, packager } = context;
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  const productFilename = packager.appInfo.productFilename;
  const binary = electronBinary(appOutDir, platform, { executableName: packager.executableName ?? productFilename, productFilename });
  await flipAppFuses(binary, platform, arch);

  const pkg = JSON.parse(fs.readFileSync(path.join(packager.projectDir, 'package.json'), 'utf8')) as { main: string };
  const shipsBrowser = browserSource(packager.config.extraResources, packager.projectDir) !== null;
  const resources = resourcesDir(appOutDir, platform, productFilename);

  const electronVersion = packager.info.framework.version;
  const override = env[RUNTIME_ABI_ENV];
  const expected = override ? Number(override) : electronAbi(electronVersion, packager.projectDir);
  const runtime = override ? `the Node (ABI ${override}) named by ${RUNTIME_ABI_ENV}` : `Electron ${electronVersion}`;
  if (override) console.warn(`after-pack: checking native addons against ${runtime}, not Electron: this build is for the layout test only`);

  const problems = [
    ...fuseProblems(await readFuseWire(binary), fusePolicy(platform)),
    ...layoutProblems(resources, runtimeSpec(pkg, shipsBrowser ? (platform === 'mas' ? 'darwin' : (platform as NodeJS.Platform)) : undefined)),
    ...abiProblems(path.join(resources, 'app.asar.unpacked'), expected, runtime),
  ];
  if (problems.length) throw new Error(`the packed app (${platform} ${arch}) would not work:\n- ${problems.join('\n- ')}`);
  console.log(`after-pack: ${platform} ${arch}: fuses flipped, layout and native addons checked for ${runtime}`);
}
