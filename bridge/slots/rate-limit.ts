// Send limits per slot (API.md): per recipient 10/minute and 100/hour, per slot 1000/day.
// The counters live in the bridge's local state database (in cluster mode the shared one), so a
// restart (or a slot's move to another node) resets nothing: a sender refused before a restart is
// still refused after it, with a Retry-After that keeps counting down from the original window. A refused send consumes nothing, so a burst at the limit is not
// counted twice.
import { RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { BridgeError } from '../domain/index.js';
import type { StateDb } from '../state/db.js';

export interface RateLimits {
  ratePerMinute: number;
  ratePerHour: number;
  ratePerDay: number;
}

export type LimitName = 'per_minute' | 'per_hour' | 'per_day';

/** The counters' table (created by the state database's migrations). */
export const RATE_LIMIT_TABLE = 'rate_limits';
/** Expired counters are swept after this many sends. */
const SWEEP_EVERY = 1000;

/** One counter as rate-limiter-flexible keeps it: consume a point, or give one back. */
export type Counter = Pick<RateLimiterAbstract, 'consume' | 'reward'>;

/**
 * Where the counters live: the local state database, or in cluster mode the shared one
 * (cluster/shared/rate-limits.ts), so a slot's counts follow it to whichever node runs it next.
 */
export interface LimitCounters {
  counter(keyPrefix: string, points: number, durationSeconds: number): Counter;
  /** Drop expired counters. */
  sweep(): void;
}

/** Counters in the bridge's own state database (a single bridge). */
export function localCounters(db: StateDb): LimitCounters {
  return {
    counter: (keyPrefix, points, duration) =>
      new RateLimiterSQLite({
        storeClient: db,
        storeType: 'better-sqlite3',
        tableName: RATE_LIMIT_TABLE,
        tableCreated: true,
        clearExpiredByTimeout: false, // swept here instead: no timer outliving a stopped bridge
        keyPrefix,
        points,
        duration,
      }),
    sweep: () => void db.prepare(`DELETE FROM ${RATE_LIMIT_TABLE} WHERE expire < ?`).run(Date.now()),
  };
}

interface Limit {
  name: LimitName;
  limiter: Counter;
  key: (slot: number, to: string) => string;
  label: string;
}

export class SendLimiter {
  private readonly limits: Limit[];
  private readonly counters: LimitCounters;
  private sends = 0;

  constructor(
    limits: RateLimits,
    /** The local state database, or where else the counters live. */
    store: StateDb | LimitCounters,
    /** Told of every refusal, by the limit that refused. */
    private readonly onRefused: (slot: number, limit: LimitName) => void = () => undefined,
  ) {
    this.counters = 'counter' in store ? store : localCounters(store);
    const counter = (keyPrefix: string, points: number, duration: number) => this.counters.counter(keyPrefix, points, duration);
    const perRecipient = (s: number, to: string) => `${s}:${to}`;
    this.limits = [
      { name: 'per_minute', limiter: counter('minute', limits.ratePerMinute, 60), key: perRecipient, label: `${limits.ratePerMinute} messages a minute to one recipient` },
      { name: 'per_hour', limiter: counter('hour', limits.ratePerHour, 3600), key: perRecipient, label: `${limits.ratePerHour} messages an hour to one recipient` },
      { name: 'per_day', limiter: counter('day', limits.ratePerDay, 86400), key: (s) => String(s), label: `${limits.ratePerDay} messages a day per slot` },
    ];
    this.sweep();
  }

  /** Count one send from `slot` to `recipient`, or throw RATE_LIMITED with the wait in seconds. */
  async consume(slot: number, recipient: string): Promise<void> {
    if (++this.sends % SWEEP_EVERY === 0) this.sweep();
    const taken: { limiter: Counter; key: string }[] = [];
    for (const { name, limiter, key, label } of this.limits) {
      const k = key(slot, recipient);
      try {
        await limiter.consume(k);
        taken.push({ limiter, key: k });
      } catch (res) {
        await Promise.all(taken.map((t) => t.limiter.reward(t.key)));
        if (!(res instanceof RateLimiterRes)) throw res;
        // The refused attempt was counted too; give it back so waiting clients are not punished.
        await limiter.reward(k);
        this.onRefused(slot, name);
        const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw new BridgeError('RATE_LIMITED', `rate limit reached on slot ${slot}: ${label}; retry in ${retryAfter} s`, { retryAfter });
      }
    }
  }

  /** Give back one send (it was refused later, e.g. the number is not on WhatsApp). */
  async refund(slot: number, recipient: string): Promise<void> {
    await Promise.all(this.limits.map(({ limiter, key }) => limiter.reward(key(slot, recipient))));
  }

  private sweep(): void {
    this.counters.sweep();
  }
}
