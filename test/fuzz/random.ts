// A seeded generator of hostile values: the same FUZZ_SEED replays the same run.
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: small, fast, good enough to spread inputs. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
}

const STRINGS = [
  '', ' ', 'a', '1', '-1', '0', '01', '1e3', '1.5', 'NaN', 'Infinity', 'null', 'true', '[]', '{}',
  '9223372036854775808', '18446744073709551616', '9'.repeat(40), '-9223372036854775809',
  '%', '%zz', '%00', '%E0%A4%A', '..', '../../etc/passwd', '\u0000', '\uffff', '\ud800', '🙂',
  'مرحبا', 'ـــــ', '<script>alert(1)</script>', "' OR 1=1 --", '"; DROP TABLE messages; --',
  '*', '"', '\\', 'a@c.us', '15550100001@c.us', '123-456@g.us', '+962 7 8152 3783', '15550100001',
  'x'.repeat(5000), 'mysql://root@127.0.0.1:1/x', 'image/png', 'audio/ogg; codecs=opus', 'text/plain',
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'data:image/png;base64,AAAA', '====', 'AAA',
];
const NUMBERS = [0, 1, 2, 3, 7, -1, 1.5, 2 ** 31, 2 ** 53, 2 ** 63, -(2 ** 63), Number.MAX_VALUE, 1e-300, 500, 501];
const FIELDS = [
  'slot', 'phone', 'chatId', 'message', 'base64', 'mimetype', 'filename', 'caption', 'asVoice', 'question', 'options',
  'allowMultiple', 'idempotencyKey', 'queue', 'quotedMessageId', 'logout', 'name', 'limit', 'offset', 'before', 'query',
  'messageId', 'token', 'deviceId', 'platform', 'slots', 'dbUrl', 'port', 'ratePerMinute', 'lanHttp', 'serviceAccount',
  '__proto__', 'constructor', 'type', 'requestId',
];

export function value(r: Random, depth = 0): unknown {
  switch (r.int(depth > 2 ? 4 : 7)) {
    case 0:
      return r.pick(STRINGS);
    case 1:
      return r.pick(NUMBERS);
    case 2:
      return r.pick([true, false, null]);
    case 3:
      return r.int(9) - 2; // small slot-like numbers, mostly valid
    case 4:
      return Array.from({ length: r.pick([0, 1, 2, 3, 13, 40]) }, () => value(r, depth + 1));
    default:
      return object(r, depth + 1);
  }
}

export function object(r: Random, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = r.int(6); i >= 0; i--) {
    const key = r.chance(0.9) ? r.pick(FIELDS) : r.pick(STRINGS).slice(0, 20);
    if (key === '__proto__') Object.defineProperty(out, key, { value: value(r, depth), enumerable: true, configurable: true, writable: true });
    else out[key] = value(r, depth);
  }
  return out;
}

/** encodeURIComponent, with a lone surrogate sent as its raw (invalid) UTF-8 escape. */
export function enc(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

/** Mostly-plausible values for a path or query parameter. */
export function param(r: Random): string {
  return r.chance(0.4) ? String(r.int(8)) : enc(r.pick(STRINGS)).slice(0, 300) || r.pick(['%zz', '%', '%E0%A4%A']);
}
