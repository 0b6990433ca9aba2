// Kill a slot's browser now, without asking it to close: a node that lost a lease must stop
// driving the number before anyone else may start it.
import { execFile } from 'node:child_process';

export function killBrowserGroupNow(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 0) return;
  if (process.platform === 'win32') {
    execFile('taskkill', ['/PID', String(pid), '/T', '/F'], { windowsHide: true }, () => undefined);
    return;
  }
  // Our browsers lead their own process group (detached launch): the group takes the renderers too.
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
