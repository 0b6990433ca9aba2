// CLI: `tsx scripts/fetch-chromium.ts [--platform …] [--build-id …]` (run by `npm run dist`).
// Needs internet (or --base-url to a mirror). WA_BRIDGE_SKIP_CHROMIUM=1 skips it: the
// installer then relies on CHROME_PATH or an installed Chrome/Edge/Chromium.
import fs from 'node:fs';
import path from 'node:path';
import { BundleError, bundleChromium, parseBundleArgs } from './chromium-bundle.js';

async function main(): Promise<void> {
  if (process.env.WA_BRIDGE_SKIP_CHROMIUM === '1') {
    console.log('fetch-chromium: skipped (WA_BRIDGE_SKIP_CHROMIUM=1); the app will use an installed browser');
    return;
  }
  const opts = parseBundleArgs(process.argv.slice(2), process.env);
  console.log(`fetch-chromium: Chrome ${opts.buildId ?? opts.channel} for ${opts.platform} into ${opts.dir}`);
  let lastPercent = -10;
  const result = await bundleChromium(opts, (done, total) => {
    const percent = total ? Math.floor((done / total) * 100) : 0;
    if (percent >= lastPercent + 10) {
      lastPercent = percent;
      console.log(`fetch-chromium: ${percent}%`);
    }
  });
  console.log(`fetch-chromium: Chrome ${result.buildId} ready (${(result.bytes / 1024 / 1024).toFixed(0)} MB): ${result.executablePath}`);
}

main().catch((err: unknown) => {
  if (err instanceof BundleError && err.unsupported) {
    // Ship no browser rather than one for the wrong machine; findBrowser falls back to installed ones.
    fs.rmSync(path.resolve('build', 'chromium'), { recursive: true, force: true });
    console.warn(`fetch-chromium: ${err.message}; the installer ships no browser and uses an installed Chrome/Edge/Chromium`);
    return;
  }
  console.error(`fetch-chromium: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
