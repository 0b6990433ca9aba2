// Send limits per slot (API.md): per recipient 10/minute and 100/hour, per slot 1000/day.
// The counters live in the bridge's local state database, so a restart resets nothing: a sender
// refused before a restart is still refused after it, with a Retry-After that keeps counting down
// from the original window. A refused send consumes nothing, so a burst at the limit is not
// counted twice.
import { RateLimiterRes, RateLimiterSQLite } from 'rate-limiter-flexible';
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

interface Limit {
  name: LimitName;
  limiter: RateLimiterSQLite;
  key: (slot: number, to: string) => string;
  label: string;
}

export class SendLimiter {
  private readonly limits: Limit[];
  private sends = 0;

  constructor(
    limits: RateLimits,
    private readonly db: StateDb,
    /** Told of every refusal, by the limit that refused. */
    private readonly onRefused: (slot: number, limit: LimitName) => void = () => undefined,
  ) {
    const store = (keyPrefix: string, points: number, duration: number) =>
      new RateLimiterSQLite({
        storeClient: db,
        storeType: 'better-sqlite3',
        tableName: RATE_LIMIT_TABLE,
        tableCreated: true,
        clearExpiredByTimeout: false, // swept here instead: no timer outliving a stopped bridge
        keyPrefix,
        points,
        duration,
      });
    const perRecipient = (s: number, to: string) => `${s}:${to}`;
    this.limits = [
      { name: 'per_minute', limiter: store('minute', limits.ratePerMinute, 60), key: perRecipient, label: `${limits.ratePerMinute} messages a minute to one recipient` },
      { name: 'per_hour', limiter: store('hour', limits.ratePerHour, 3600), key: perRecipient, label: `${limits.ratePerHour} messages an hour to one recipient` },
      { name: 'per_day', limiter: store('day', limits.ratePerDay, 86400), key: (s) => String(s), label: `${limits.ratePerDay} messages a day per slot` },
    ];
    this.sweep();
  }

  /** Count one send from `slot` to `recipient`, or throw RATE_LIMITED with the wait in seconds. */
  async consume(slot: number, recipient: string): Promise<void> {
    if (++this.sends % SWEEP_EVERY === 0) this.sweep();
    const taken: { limiter: RateLimiterSQLite; key: string }[] = [];
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
    this.db.prepare(`DELETE FROM ${RATE_LIMIT_TABLE} WHERE expire < ?`).run(Date.now());
  }
}
