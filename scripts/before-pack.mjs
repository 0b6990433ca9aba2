// electron-builder beforePack hook: say up front what will be signed/notarised (from the
// environment), then fetch the Chrome for Testing matching the target being packed (so a
// Windows installer built on Linux ships a Windows browser) into build/chromium, which
// extraResources then copies to resources/chromium.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

export default async function beforePack(context) {
  const { signingPlan } = await tsImport('./packaging/signing.ts', import.meta.url);
  for (const line of signingPlan(context.electronPlatformName, process.env).messages) console.log(`signing: ${line}`);

  const script = path.join(context.packager.projectDir, 'scripts', 'fetch-chromium.ts');
  const args = ['--import', 'tsx', script, '--electron-platform', context.electronPlatformName, '--arch', String(context.arch)];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: context.packager.projectDir });
  if (result.status !== 0) throw new Error(`fetch-chromium failed (exit ${result.status}); set WA_BRIDGE_SKIP_CHROMIUM=1 to build without a bundled browser`);
}
