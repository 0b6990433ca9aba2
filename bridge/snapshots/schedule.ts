// Snapshots follow each slot's engine: the wrapped engine restores a missing profile before its
// browser launches, snapshots ~firstDelayMs after READY and every intervalMs while READY (a store
// that is down is retried with backoff), snapshots once more after a clean stop, and forgets the
// slot's snapshots when the account logs out.
import type { EngineContext, EngineFactory, WhatsAppEngine } from '../engine/types.js';
import { widOf } from './accounts.js';
import type { SnapshotError } from './errors.js';
import type { SnapshotService } from './service.js';

export interface ScheduleOptions {
  firstDelayMs: number;
  intervalMs: number;
  /** First retry delay after a store failure; doubles up to intervalMs. */
  retryBaseMs: number;
  /** A restore before launch failed: the slot goes on to a QR, and says why. */
  onRestoreFailed(slot: number, message: string): void;
}

/** Reasons after which the stored pairing is worthless (as the engine and the Slot treat them). */
const SESSION_GONE = /^(LOGOUT|UNPAIRED.*)$/;

export function withSnapshots(factory: EngineFactory, service: SnapshotService, opts: ScheduleOptions): EngineFactory {
  return (ctx: EngineContext) => {
    const slot = ctx.slot;
    let ready = false;
    let loggedOut = false;
    let timer: NodeJS.Timeout | null = null;
    let failures = 0;
    let taken = false;

    const clear = () => {
      if (timer) clearTimeout(timer);
      timer = null;
    };
    const schedule = (ms: number) => {
      clear();
      timer = setTimeout(() => void tick(), ms);
      timer.unref();
    };
    const tick = async () => {
      timer = null;
      if (!ready) return;
      try {
        await service.take(slot, failures === 0 && !taken ? 'first' : 'interval');
        taken = true;
        failures = 0;
        if (ready) schedule(opts.intervalMs);
      } catch (err) {
        if (!ready) return;
        // A store that is away is retried sooner; a refused profile waits for the next round.
        if ((err as SnapshotError).code === 'STORE_UNAVAILABLE') {
          failures++;
          schedule(Math.min(opts.intervalMs, opts.retryBaseMs * 2 ** (failures - 1)));
        } else schedule(opts.intervalMs);
      }
    };

    const engine: WhatsAppEngine = factory({
      ...ctx,
      beforeLaunch: async () => {
        try {
          const result = await service.prepareProfile(slot);
          if (result) ctx.logger.info({ snapshot: result.snapshot.id, skipped: result.skipped.length }, 'profile restored from a snapshot before launch');
        } catch (err) {
          const message = `restore from snapshot failed: ${(err as Error).message}`;
          ctx.logger.error({ error: (err as Error).message }, 'could not restore the session; the slot will show a QR');
          opts.onRestoreFailed(slot, message);
        }
      },
      emit: (event) => {
        if (event.type === 'ready') {
          const wid = widOf(event.phone);
          if (wid) service.accounts.setAccount(slot, wid);
          ready = wid !== null;
          if (ready) schedule(opts.firstDelayMs);
        } else if (event.type === 'disconnected' || event.type === 'failure') {
          ready = false;
          clear();
          if (event.type === 'disconnected' && SESSION_GONE.test(event.reason)) {
            loggedOut = true;
            void service.forget(slot);
          }
        }
        ctx.emit(event);
      },
    });

    return delegate(engine, {
      async stop() {
        const clean = ready && !loggedOut && !service.isRestoring(slot);
        ready = false;
        clear();
        await engine.stop();
        // The browser has closed and flushed the profile: the best copy there is.
        if (clean) await service.take(slot, 'stop').catch(() => undefined);
      },
      async logout() {
        loggedOut = true;
        ready = false;
        clear();
        await service.forget(slot);
        await engine.logout();
      },
    });
  };
}

/**
 * The engine with stop and logout replaced; every other member is the engine's own, bound to it
 * (engines keep private state), so a method added to the engine later needs nothing here.
 */
function delegate(engine: WhatsAppEngine, own: Pick<WhatsAppEngine, 'stop' | 'logout'>): WhatsAppEngine {
  return new Proxy(engine, {
    get(target, key) {
      if (key === 'stop' || key === 'logout') return own[key];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
