// The log screen's words and its live-tail merge (pure).
import { describe, expect, it } from 'vitest';
import { logText, mergeTail } from '../../renderer/src/lib/log-lines.js';
import type { LogLine } from '../../renderer/src/api/types.js';

const line = (id: number, over: Partial<LogLine> = {}): LogLine => ({ id, time: id, level: 'info', msg: `m${id}`, kind: 'other', slot: null, detail: {}, ...over });

describe('log lines', () => {
  it('reads a request as method, path, status and duration; others with their reason', () => {
    expect(logText(line(1, { kind: 'request', msg: 'request', detail: { method: 'POST', path: '/api/send', status: 202, ms: 4.5 } }))).toBe('POST /api/send → 202 · 4.5 ms');
    expect(logText(line(2, { kind: 'lifecycle', msg: 'slot restarting', detail: { state: 'RECONNECTING', reason: 'disconnected: NAVIGATION' } }))).toBe('slot restarting (reason=disconnected: NAVIGATION)');
    expect(logText(line(3, { msg: 'plain' }))).toBe('plain');
  });

  it('puts newer lines on top once, and keeps at most the cap', () => {
    const shown = [line(5), line(4), line(3)];
    expect(mergeTail(shown, [line(7), line(6), line(5)], 10).map((l) => l.id)).toEqual([7, 6, 5, 4, 3]);
    expect(mergeTail(shown, [line(6)], 3).map((l) => l.id)).toEqual([6, 5, 4]);
    expect(mergeTail(shown, [], 3)).toBe(shown);
  });
});
