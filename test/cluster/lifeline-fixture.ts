// A stand-in node for the lifeline test: starts the reaper, launches two "browsers" (sleep, each
// leading its own process group, as Chromium does), registers one, prints the pids, and waits.
import { spawn } from 'node:child_process';
import { Lifeline } from '../../bridge/cluster/lifeline.js';

const lifeline = new Lifeline();
lifeline.start();
const browser = (seconds: number) => spawn('sleep', [String(seconds)], { detached: true, stdio: 'ignore' });
const registered = browser(300);
const forgotten = browser(301);
const unregisteredLater = browser(302);
lifeline.register(registered.pid!);
lifeline.register(unregisteredLater.pid!);
lifeline.unregister(unregisteredLater.pid!);
// Let the reaper read its input before the parent reports ready.
setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ registered: registered.pid, forgotten: forgotten.pid, unregistered: unregisteredLater.pid, reaper: lifeline.pid })}\n`);
}, 300);
setInterval(() => undefined, 1000);
