import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { LogBuffer } from './log-buffer.js';

describe('log buffer', () => {
  it('keeps the kind, slot and readable fields of a line, not its body or whole error', () => {
    const buf = new LogBuffer(10);
    const log = pino({ level: 'info' }, buf);
    log.warn({ deviceId: 'd1', code: 'messaging/unavailable', attempts: 3, err: new Error('FCM said no'), body: { secret: 'x' } }, 'push failed');
    log.info({ kind: 'lifecycle', slot: 2, state: 'READY' }, 'slot ready');
    const [ready, push] = buf.recent(10);
    expect(push).toMatchObject({ level: 'warn', msg: 'push failed', kind: 'push', slot: null, detail: { deviceId: 'd1', code: 'messaging/unavailable', attempts: 3, error: 'FCM said no' } });
    expect(JSON.stringify(push)).not.toContain('secret');
    expect(ready).toMatchObject({ kind: 'lifecycle', slot: 2, detail: { state: 'READY' } });
    expect(ready!.id).toBeGreaterThan(push!.id);
  });

  it('drops the oldest lines past its capacity; queries stop at the cursor', () => {
    const buf = new LogBuffer(3);
    const log = pino({ level: 'info' }, buf);
    for (let i = 1; i <= 5; i++) log.info({ slot: 1 }, `line ${i}`);
    expect(buf.recent(10).map((l) => l.msg)).toEqual(['line 5', 'line 4', 'line 3']);
    const cursor = buf.recent(10)[1]!.id;
    expect(buf.query({ limit: 10, after: cursor }).map((l) => l.msg)).toEqual(['line 5']);
    expect(buf.query({ limit: 10, level: 'warn' })).toEqual([]);
  });
});
