// Electron fuses the desktop app ships with, flipped into the binary after packing (afterPack)
// and checked by the packaged-layout test. Without them anyone could run the installed app as
// a plain Node (ELECTRON_RUN_AS_NODE), inject code (NODE_OPTIONS, --inspect) or swap its code
// for a loose folder, with the user's WhatsApp sessions at hand.
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire, type FuseV1Config } from '@electron/fuses';
import path from 'node:path';

const ENABLE = 49; // '1'
const DISABLE = 48; // '0'
const REMOVED = 114; // 'r': the fuse no longer exists in this Electron

/** true = must be on, false = must be off. */
export type FusePolicy = Partial<Record<FuseV1Options, boolean>>;

/** Asar integrity is validated by Electron on macOS and Windows only (electron-builder embeds the hashes there). */
export function fusePolicy(platform: string): FusePolicy {
  const policy: FusePolicy = {
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    // The window loads the bridge over http; nothing needs file:// privileges.
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
  if (platform === 'darwin' || platform === 'mas' || platform === 'win32') policy[FuseV1Options.EnableEmbeddedAsarIntegrityValidation] = true;
  return policy;
}

/** The file holding the fuse wire, as @electron/fuses expects it (the .app bundle on macOS). */
export function electronBinary(appOutDir: string, platform: string, names: { executableName: string; productFilename: string }): string {
  if (platform === 'darwin' || platform === 'mas') return path.join(appOutDir, `${names.productFilename}.app`);
  if (platform === 'win32') return path.join(appOutDir, `${names.productFilename}.exe`);
  return path.join(appOutDir, names.executableName);
}

export async function flipAppFuses(binary: string, platform: string, arch: string): Promise<void> {
  const config = { version: FuseVersion.V1, ...fusePolicy(platform) } as FuseV1Config;
  // Flipping invalidates the ad-hoc signature arm64 Macs require; electron-builder signs properly afterwards.
  if (platform === 'darwin' && arch === 'arm64') config.resetAdHocDarwinSignature = true;
  await flipFuses(binary, config);
}

/** The wire as read from the binary: fuse index → state byte. */
export type FuseWire = Record<number, number>;

export async function readFuseWire(binary: string): Promise<FuseWire> {
  const raw = (await getCurrentFuseWire(binary)) as unknown as Record<string, number | string>;
  const wire: FuseWire = {};
  for (const [key, value] of Object.entries(raw)) if (/^\d+$/.test(key)) wire[Number(key)] = Number(value);
  return wire;
}

/** What in `wire` differs from `policy`; empty when the binary is hardened. */
export function fuseProblems(wire: FuseWire, policy: FusePolicy): string[] {
  const problems: string[] = [];
  for (const [key, wanted] of Object.entries(policy)) {
    const index = Number(key);
    const name = FuseV1Options[index];
    const state = wire[index];
    if (state === undefined) problems.push(`fuse ${name} is missing from the binary's fuse wire`);
    else if (state === REMOVED) continue;
    else if (state !== (wanted ? ENABLE : DISABLE)) problems.push(`fuse ${name} is ${state === ENABLE ? 'on' : state === DISABLE ? 'off' : `unset (${state})`}, must be ${wanted ? 'on' : 'off'}`);
  }
  return problems;
}
