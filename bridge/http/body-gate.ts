// Caps how many large request bodies are read at once: each is held in memory while parsed
// (16 MiB of base64 becomes ~3× that as string + object), so 40 at once stalled the bridge.
// Requests over the cap wait their turn (TCP pushes back on the sender), then give up with 429.
import type { NextFunction, Request, Response } from 'express';
import { BridgeError } from '../domain/index.js';

/** A body above this (or of unknown length) counts as large. */
export const LARGE_BODY_BYTES = 1024 * 1024;
/** How long a large body may wait for its turn before the request is refused. */
export const BODY_WAIT_MS = 30_000;

export function isLargeBody(req: Request): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > LARGE_BODY_BYTES;
  return req.headers['transfer-encoding'] !== undefined;
}

export interface BodyGateOptions {
  max: number;
  waitMs?: number;
  /** Told the queue length whenever it changes (a metric). */
  onWaiting?: (waiting: number) => void;
}

export function largeBodyGate(opts: BodyGateOptions) {
  const waitMs = opts.waitMs ?? BODY_WAIT_MS;
  const queue: Array<() => void> = [];
  let active = 0;
  const report = () => opts.onWaiting?.(queue.length);

  function admit(res: Response, next: NextFunction): void {
    active++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      active--;
      const wake = queue.shift();
      report();
      wake?.();
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  }

  return (req: Request, res: Response, next: NextFunction) => {
    if (!isLargeBody(req)) return next();
    if (active < opts.max) return admit(res, next);
    let done = false;
    const turn = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      admit(res, next);
    };
    const giveUp = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const i = queue.indexOf(turn);
      if (i >= 0) queue.splice(i, 1);
      report();
    };
    const timer = setTimeout(() => {
      giveUp();
      res.setHeader('Connection', 'close');
      next(new BridgeError('RATE_LIMITED', 'too many large uploads at once; try again shortly', { retryAfter: 5 }));
    }, waitMs);
    timer.unref();
    // A client that leaves while waiting frees its place in the queue.
    res.once('close', giveUp);
    queue.push(turn);
    report();
  };
}
