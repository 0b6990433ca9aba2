// Chromium command-line flags for slot browsers. Puppeteer's automation defaults are kept
// (minus --enable-automation, which WhatsApp Web can see); these are added on top.

/** Always on: quiet, headless-friendly, no phoning home. */
export function baseFlags(slot: number): string[] {
  const flags = [
    // Tag: lets an operator (and the orphan sweep's log) tell which slot a process serves.
    `--wa-bridge-slot=${slot}`,
    '--disable-blink-features=AutomationControlled',
    '--disable-gpu',
    '--disable-component-update',
    '--disable-background-networking',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
  ];
  // Chromium refuses to run as root with its sandbox on (containers, CI).
  if (process.platform === 'linux' && process.getuid?.() === 0) flags.push('--no-sandbox');
  return flags;
}

/**
 * Low-memory flags, each kept only because it measurably lowered memory on the simulator page
 * (Chromium 156, 2-core VM; PSS per browser, median of 3 samples, 3 browsers per run, 3 runs:
 * base 189–193 MB and 9 processes; with both flags 182–183 MB and 7 processes). Tried and
 * dropped: --no-zygote (+66 MB: loses the zygote's shared pages), --disable-site-isolation-trials,
 * --js-flags=--optimize-for-size, --process-per-site, NetworkServiceInProcess,
 * AudioServiceOutOfProcess (all within ±10 MB noise), and --disable-features=
 * SpareRendererForSitePerProcess (the same process the renderer limit already removes).
 * `BENCH_FLAGS=1 npm run bench -- slots` prints the per-flag table again.
 */
export const LOW_MEMORY_FLAGS: readonly string[] = [
  // One renderer for everything: WhatsApp Web is one page (its service worker shares it too).
  '--renderer-process-limit=1',
  // The GPU process (software compositing only, as --disable-gpu) folded into the browser.
  '--in-process-gpu',
];

/** Split `WA_BRIDGE_CHROMIUM_ARGS`: spaces separate, quotes group ("--a=b c"). */
export function splitArgs(value: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(value); m; m = re.exec(value)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** A flag the user may not override: the bridge depends on these for process hygiene. */
const RESERVED = ['--user-data-dir', '--remote-debugging-port', '--remote-debugging-pipe', '--wa-bridge-slot'];

export function slotBrowserArgs(opts: { slot: number; lowMemory: boolean; extra: string[] }): string[] {
  const bad = opts.extra.find((a) => RESERVED.some((r) => a === r || a.startsWith(`${r}=`)));
  if (bad) throw new Error(`WA_BRIDGE_CHROMIUM_ARGS may not set ${bad.split('=')[0]}: the bridge manages it`);
  return [...baseFlags(opts.slot), ...(opts.lowMemory ? LOW_MEMORY_FLAGS : []), ...opts.extra];
}
