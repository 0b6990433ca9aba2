// The page dead-man switch: a frozen node (GC pause, SIGSTOP, swap) cannot kill its browser, and
// the lifeline only acts when the node dies. So the WhatsApp page itself holds a deadline that
// the node keeps pushing forward while its lease is good; a timer inside the page leaves WhatsApp
// (about:blank) once the deadline passes, before the lease can expire and another node start.
import type { Page } from 'puppeteer-core';

/** Installed in every document of the page: checks the deadline four times a second. */
const PAGE_SWITCH = `(() => {
  if (window.__wabDeadman) return;
  window.__wabDeadman = setInterval(() => {
    const until = window.__wabLeaseUntil;
    if (typeof until === 'number' && performance.now() > until) {
      clearInterval(window.__wabDeadman);
      location.replace('about:blank');
    }
  }, 250);
})()`;

/**
 * Arm the switch on `page`: every `refreshMs` the page's deadline is set to `remainingMs()` from
 * now (the node's own self-fence deadline). Returns the disarm function (for a clean stop).
 */
export function armPageDeadman(page: Page, remainingMs: () => number, refreshMs: number): () => void {
  let stopped = false;
  void page.evaluateOnNewDocument(PAGE_SWITCH).catch(() => undefined);
  void page.evaluate(PAGE_SWITCH).catch(() => undefined);
  const push = () => {
    if (stopped) return;
    const ms = Math.max(0, Math.floor(remainingMs()));
    void page.evaluate(`window.__wabLeaseUntil = performance.now() + ${ms}`).catch(() => undefined);
  };
  push();
  const timer = setInterval(push, refreshMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
