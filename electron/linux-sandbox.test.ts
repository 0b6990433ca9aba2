import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPARMOR_RESTRICT_FILE, USERNS_CLONE_FILE, appImageFixCommand, appImageMountGlob, checkLinuxSandbox } from './linux-sandbox.js';

const APPDIR = '/tmp/.mount_wa-briAbC123';
function probe(files: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  return { read: (f: string) => files[f] ?? null, env };
}

describe('checkLinuxSandbox', () => {
  it('is fine where user namespaces are not restricted (Debian, Ubuntu ≤ 23.04, no AppArmor)', () => {
    expect(checkLinuxSandbox(probe({})).ok).toBe(true);
    expect(checkLinuxSandbox(probe({ [APPARMOR_RESTRICT_FILE]: '0\n' }, { APPIMAGE: '/x.AppImage', APPDIR })).ok).toBe(true);
  });

  it('is fine under a profile (the deb, or the AppImage once fixed)', () => {
    const check = checkLinuxSandbox(probe({ [APPARMOR_RESTRICT_FILE]: '1\n', '/proc/self/attr/current': 'wa-bridge (unconfined)\n' }, { APPIMAGE: '/x.AppImage', APPDIR }));
    expect(check).toEqual({ ok: true, why: 'running under the AppArmor profile "wa-bridge (unconfined)"' });
  });

  it('explains the one command when an AppImage runs unprofiled under the restriction', () => {
    const check = checkLinuxSandbox(probe({ [APPARMOR_RESTRICT_FILE]: '1\n', '/proc/self/attr/apparmor/current': 'unconfined\n' }, { APPIMAGE: '/home/a/wa-bridge-0.1.0.AppImage', APPDIR }));
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.command).toBe(appImageFixCommand(APPDIR));
    expect(check.message).toContain(check.command);
    expect(check.message).not.toMatch(/no-sandbox/);
  });

  it('points an unprofiled package install at reinstalling, and a kernel without user namespaces at sysctl', () => {
    const deb = checkLinuxSandbox(probe({ [APPARMOR_RESTRICT_FILE]: '1', '/proc/self/attr/current': 'unconfined' }));
    expect(deb).toMatchObject({ ok: false, command: 'sudo apt install --reinstall wa-bridge' });
    const off = checkLinuxSandbox(probe({ [USERNS_CLONE_FILE]: '0\n' }));
    expect(off).toMatchObject({ ok: false, why: 'user namespaces are disabled' });
  });
});

describe('the AppImage fix', () => {
  it("matches every later mount of the same AppImage, and nothing else's", () => {
    const glob = appImageMountGlob(APPDIR);
    expect(glob).toBe('/tmp/.mount_wa-bri*/**');
    expect(path.matchesGlob('/tmp/.mount_wa-briZZZ999/wa-bridge', glob)).toBe(true);
    expect(path.matchesGlob('/tmp/.mount_wa-briZZZ999/resources/chromium/chrome/linux-131/chrome-linux64/chrome', glob)).toBe(true);
    expect(path.matchesGlob('/tmp/.mount_other-ZZZ999/app', glob)).toBe(false);
  });

  it('is a single shell command that writes a valid-looking profile', () => {
    const command = appImageFixCommand(APPDIR);
    // Run the printf half through a real shell: the profile text must come out intact.
    const printed = execFileSync('sh', ['-c', command.split(' | ')[0]], { encoding: 'utf8' });
    expect(printed).toBe('abi <abi/4.0>,\ninclude <tunables/global>\nprofile wa-bridge-appimage "/tmp/.mount_wa-bri*/**" flags=(unconfined) {\n  userns,\n}\n');
    expect(command).toMatch(/\| sudo tee \/etc\/apparmor\.d\/wa-bridge-appimage >\/dev\/null && sudo apparmor_parser -r \/etc\/apparmor\.d\/wa-bridge-appimage$/);
  });
});
