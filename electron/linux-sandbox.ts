// Chromium's sandbox (the app's and the slots' browsers') needs unprivileged user namespaces.
// Ubuntu 23.10+ allows them only to programs with an AppArmor profile: the deb installs one
// (build/linux/apparmor-profile.tpl), an AppImage cannot. Detect that case and say the one
// command that fixes it; never turn the sandbox off. Pure: every input is passed in.
import fs from 'node:fs';
import path from 'node:path';

export const APPARMOR_RESTRICT_FILE = '/proc/sys/kernel/apparmor_restrict_unprivileged_userns';
export const USERNS_CLONE_FILE = '/proc/sys/kernel/unprivileged_userns_clone';
/** This process's AppArmor label ("unconfined", or "<profile> (unconfined)" under a profile). */
export const SELF_LABEL_FILES = ['/proc/self/attr/apparmor/current', '/proc/self/attr/current'];

export interface SandboxProbe {
  /** Reads a /proc file; null when it does not exist. */
  read(file: string): string | null;
  env: NodeJS.ProcessEnv;
}

export type SandboxCheck =
  | { ok: true; why: string }
  | { ok: false; why: string; command: string; message: string };

/** Where an AppImage is mounted (APPDIR) → a glob matching every later mount of it (/tmp/.mount_<6 chars><6 random>). */
export function appImageMountGlob(appDir: string): string {
  const base = path.posix.basename(appDir);
  const stem = /^\.mount_.{6}/.test(base) ? base.slice(0, '.mount_'.length + 6) : base;
  return path.posix.join(path.posix.dirname(appDir), `${stem}*`, '**');
}

/** One shell command that installs and loads a profile letting the AppImage's programs use user namespaces. */
export function appImageFixCommand(appDir: string, name = 'wa-bridge-appimage'): string {
  const profile = [
    'abi <abi/4.0>,',
    'include <tunables/global>',
    `profile ${name} "${appImageMountGlob(appDir)}" flags=(unconfined) {`,
    '  userns,',
    '}',
  ];
  const lines = profile.map((l) => `'${l.replace(/'/g, `'\\''`)}'`).join(' ');
  return `printf '%s\\n' ${lines} | sudo tee /etc/apparmor.d/${name} >/dev/null && sudo apparmor_parser -r /etc/apparmor.d/${name}`;
}

/** SandboxProbe.read for the real system. */
export function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function checkLinuxSandbox(probe: SandboxProbe): SandboxCheck {
  if (probe.read(USERNS_CLONE_FILE)?.trim() === '0') {
    const command = 'echo kernel.unprivileged_userns_clone=1 | sudo tee /etc/sysctl.d/60-wa-bridge-userns.conf && sudo sysctl --system';
    return { ok: false, why: 'user namespaces are disabled', command, message: `This system disables unprivileged user namespaces, which the browsers' sandbox needs. To allow them, run:\n\n${command}` };
  }
  if (probe.read(APPARMOR_RESTRICT_FILE)?.trim() !== '1') return { ok: true, why: 'user namespaces are not restricted' };
  const label = SELF_LABEL_FILES.map((f) => probe.read(f)).find((l) => l !== null)?.trim() ?? 'unconfined';
  if (label !== 'unconfined') return { ok: true, why: `running under the AppArmor profile "${label}"` };
  const appDir = probe.env.APPDIR;
  if (probe.env.APPIMAGE && appDir) {
    const command = appImageFixCommand(appDir);
    return {
      ok: false,
      why: 'AppArmor restricts user namespaces and this AppImage has no profile',
      command,
      message: `This system (Ubuntu 23.10 or later) lets only programs with an AppArmor profile use the browser sandbox, and an AppImage cannot install one. Install one with this command (once), then restart WA Bridge:\n\n${command}\n\nOr install the .deb package, which brings its own profile.`,
    };
  }
  const command = 'sudo apt install --reinstall wa-bridge';
  return {
    ok: false,
    why: 'AppArmor restricts user namespaces and the app runs without its profile',
    command,
    message: `This system restricts the browser sandbox to programs with an AppArmor profile, and WA Bridge runs without its own. Reinstalling the package loads it:\n\n${command}`,
  };
}
