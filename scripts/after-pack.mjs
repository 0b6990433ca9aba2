// electron-builder afterPack hook (plain JS, as electron-builder loads it): the work is in
// packaging/after-pack.ts, loaded through tsx like the other build scripts.
import { tsImport } from 'tsx/esm/api';

export default async function afterPack(context) {
  const { afterPack: run } = await tsImport('./packaging/after-pack.ts', import.meta.url);
  await run(context);
}
