// Send limits per slot (API.md): per recipient 10/minute and 100/hour, per slot 1000/day.
// A refused send consumes nothing, so a burst that hits the limit is not counted twice.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { BridgeError } from '../domain/index.js';

export interface RateLimits {
  ratePerMinute: number;
  ratePerHour: number;
  ratePerDay: number;
}

export class SendLimiter {
  private readonly limiters: { limiter: RateLimiterMemory; key: (slot: number, to: string) => string; label: string }[];

  /** `onLimited` hears of every refused send (the `wa_rate_limited_total` metric). */
  constructor(
    limits: RateLimits,
    private readonly onLimited: (slot: number) => void = () => {},
  ) {
    this.limiters = [
      { limiter: new RateLimiterMemory({ points: limits.ratePerMinute, duration: 60 }), key: (s, to) => `${s}:${to}`, label: `${limits.ratePerMinute} messages a minute to one recipient` },
      { limiter: new RateLimiterMemory({ points: limits.ratePerHour, duration: 3600 }), key: (s, to) => `${s}:${to}`, label: `${limits.ratePerHour} messages an hour to one recipient` },
      { limiter: new RateLimiterMemory({ points: limits.ratePerDay, duration: 86400 }), key: (s) => String(s), label: `${limits.ratePerDay} messages a day per slot` },
    ];
  }

  /** Count one send from `slot` to `recipient`, or throw RATE_LIMITED with the wait in seconds. */
  async consume(slot: number, recipient: string): Promise<void> {
    const taken: { limiter: RateLimiterMemory; key: string }[] = [];
    for (const { limiter, key, label } of this.limiters) {
      const k = key(slot, recipient);
      try {
        await limiter.consume(k);
        taken.push({ limiter, key: k });
      } catch (res) {
        await Promise.all(taken.map((t) => t.limiter.reward(t.key)));
        if (!(res instanceof RateLimiterRes)) throw res;
        const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        this.onLimited(slot);
        throw new BridgeError('RATE_LIMITED', `rate limit reached on slot ${slot}: ${label}; retry in ${retryAfter} s`, { retryAfter });
      }
    }
  }

  /** Give back one send (it was refused later, e.g. the number is not on WhatsApp). */
  async refund(slot: number, recipient: string): Promise<void> {
    await Promise.all(this.limiters.map(({ limiter, key }) => limiter.reward(key(slot, recipient))));
  }
}
