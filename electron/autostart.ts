// "Start at login". Windows and macOS use Electron's login items (wired in main.ts); Linux has
// none, so we write an XDG autostart entry (~/.config/autostart/<id>.desktop) ourselves.
import fs from 'node:fs';
import path from 'node:path';
import { HIDDEN_FLAG } from './shell-state.js';

export interface Autostart {
  isEnabled(): boolean;
  setEnabled(enabled: boolean): void;
}

export function xdgConfigHome(env: NodeJS.ProcessEnv, home: string): string {
  const fromEnv = env.XDG_CONFIG_HOME;
  // The spec says a relative value is invalid and must be ignored.
  return fromEnv && path.isAbsolute(fromEnv) ? fromEnv : path.join(home, '.config');
}

/** Quote one Exec argument as the Desktop Entry spec asks (then escape for a string value). */
export function quoteExecArg(arg: string): string {
  const quoted = /[\s"'\\`$<>~|&;*?#()]/.test(arg) || arg === '' ? `"${arg.replace(/(["`$\\])/g, '\\$1')}"` : arg;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

export function desktopEntry(execPath: string, name: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${name.replace(/[\r\n]/g, ' ')}`,
    `Exec=${[execPath, HIDDEN_FLAG].map(quoteExecArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * @param execPath what to launch: $APPIMAGE for an AppImage (its mount path changes every run),
 *   else the executable.
 */
export function linuxAutostart(opts: { configHome: string; id: string; name: string; execPath: string }): Autostart {
  const file = path.join(opts.configHome, 'autostart', `${opts.id}.desktop`);
  return {
    isEnabled: () => {
      try {
        const text = fs.readFileSync(file, 'utf8');
        return !/^\s*(Hidden\s*=\s*true|X-GNOME-Autostart-enabled\s*=\s*false)\s*$/im.test(text);
      } catch {
        return false;
      }
    },
    setEnabled: (enabled) => {
      if (!enabled) {
        fs.rmSync(file, { force: true });
        return;
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, desktopEntry(opts.execPath, opts.name));
    },
  };
}

/** Linux launch target: the AppImage file when running from one. */
export function linuxExecPath(env: NodeJS.ProcessEnv, execPath: string): string {
  return env.APPIMAGE && path.isAbsolute(env.APPIMAGE) ? env.APPIMAGE : execPath;
}
