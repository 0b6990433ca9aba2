import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('logger', () => {
  it('redacts tokens, passwords and message bodies that slip into a log line', () => {
    let out = '';
    const sink = new Writable({
      write: (chunk, _enc, done) => {
        out += String(chunk);
        done();
      },
    });
    const logger = createLogger('info', sink as never);
    logger.info(
      { token: 'secret-1', apikey: 'secret-2', authorization: 'Bearer secret-3', req: { token: 'secret-4', password: 'secret-5' }, body: 'private text', slot: 1 },
      'something happened',
    );
    const line = JSON.parse(out) as Record<string, unknown>;
    expect(line).toMatchObject({ token: '[redacted]', apikey: '[redacted]', authorization: '[redacted]', body: '[redacted]', slot: 1, msg: 'something happened' });
    expect(line.req).toEqual({ token: '[redacted]', password: '[redacted]' });
    expect(out).not.toMatch(/secret-\d|private text/);
  });
});
