// electron-builder beforePack hook: fetch the Chrome for Testing matching the target being
// packed (so a Windows installer built on Linux ships a Windows browser) into build/chromium,
// which extraResources then copies to resources/chromium.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export default async function beforePack(context) {
  const script = path.join(context.packager.projectDir, 'scripts', 'fetch-chromium.ts');
  const args = ['--import', 'tsx', script, '--electron-platform', context.electronPlatformName, '--arch', String(context.arch)];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: context.packager.projectDir });
  if (result.status !== 0) throw new Error(`fetch-chromium failed (exit ${result.status}); set WA_BRIDGE_SKIP_CHROMIUM=1 to build without a bundled browser`);
}
