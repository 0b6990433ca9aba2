// At build time, next to every compressible file of the admin app: a brotli (.br) and a gzip
// (.gz) copy at the highest levels, so the bridge serves them without compressing per request.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|webmanifest)$/;
/** Below this the headers cost more than the saving. */
const MIN_BYTES = 512;

export function precompressDir(dir: string): { files: number; bytes: number; brBytes: number } {
  const out = { files: 0, bytes: 0, brBytes: 0 };
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const data = fs.readFileSync(file);
    if (data.length < MIN_BYTES) continue;
    const br = zlib.brotliCompressSync(data, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    });
    fs.writeFileSync(`${file}.br`, br);
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
    out.files++;
    out.bytes += data.length;
    out.brBytes += br.length;
  }
  return out;
}

/** The Vite plugin: compress what the build wrote. */
export function precompress() {
  let outDir = '';
  return {
    name: 'wa-bridge-precompress',
    apply: 'build' as const,
    configResolved(config: { root: string; build: { outDir: string } }) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      precompressDir(outDir);
    },
  };
}
