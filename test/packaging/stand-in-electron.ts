// A stand-in for the Electron binary (which cannot be downloaded here): a shell script that
// carries Electron's fuse wire with the stock settings, so electron-builder can pack around it
// and @electron/fuses can flip and read it exactly as in the real binary.
import fs from 'node:fs';
import path from 'node:path';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'; // @electron/fuses finds the wire after this
/** Electron's defaults: RunAsNode, NODE_OPTIONS, --inspect and file:// privileges on; the rest off. */
export const STOCK_WIRE = '10110001';

export function standInElectron(file: string, wire = STOCK_WIRE): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body = Buffer.concat([Buffer.from('#!/bin/sh\necho "stand-in for Electron $*"\nexit 0\n# '), Buffer.from(SENTINEL), Buffer.from([1, wire.length]), Buffer.from(wire), Buffer.from('\n')]);
  fs.writeFileSync(file, body, { mode: 0o755 });
  return file;
}
