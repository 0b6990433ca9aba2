// Plain HTTP on the LAN, kept for phones paired before HTTPS: off for new installs; an install
// upgraded with phones already paired gets it on (saved, so it stays on until the owner turns
// it off once every phone has paired again).
import { readSettingsOrEmpty, writeSettingsFile } from '../settings-file.js';

export function decideLanHttp(opts: { configured: boolean | undefined; firstTlsStart: boolean; pairedDevices: number; dataDir: string }): boolean {
  if (opts.configured !== undefined) return opts.configured;
  if (opts.firstTlsStart && opts.pairedDevices > 0) {
    writeSettingsFile(opts.dataDir, { ...readSettingsOrEmpty(opts.dataDir), lanHttp: true });
    return true;
  }
  return false;
}
