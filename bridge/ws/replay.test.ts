import { describe, expect, it } from 'vitest';
import { EventLog } from './replay.js';

const seqs = (r: { events: { seq: number }[] }) => r.events.map((e) => e.seq);

describe('EventLog', () => {
  it('numbers frames and replays exactly the ones after `since`', () => {
    const log = new EventLog(100, 60_000);
    for (let i = 0; i < 5; i++) log.append(1, { type: 'message_ack', n: i });
    expect(log.lastSeq).toBe(5);
    expect(seqs(log.since(2))).toEqual([3, 4, 5]);
    expect(log.since(2).complete).toBe(true);
    expect(log.since(5)).toEqual({ events: [], complete: true });
    expect(JSON.parse(log.since(4).events[0]!.text)).toEqual({ type: 'message_ack', n: 4, seq: 5 });
  });

  it('says the replay is incomplete once the window has dropped what the phone missed', () => {
    let now = 0;
    const log = new EventLog(3, 1000, () => now);
    for (let i = 0; i < 6; i++) log.append(1, { type: 'x' });
    expect(seqs(log.since(3))).toEqual([4, 5, 6]);
    expect(log.since(3).complete).toBe(true);
    expect(log.since(2).complete).toBe(false);
    now = 5000;
    expect(log.since(5)).toEqual({ events: [], complete: false });
  });

  it('treats a sequence number from another run (ahead of ours, or negative) as incomplete', () => {
    const log = new EventLog();
    log.append(1, { type: 'x' });
    expect(log.since(50).complete).toBe(false);
    expect(log.since(-1).complete).toBe(false);
    expect(log.since(0)).toMatchObject({ complete: true });
  });

  it('stays bounded under a long run', () => {
    const log = new EventLog(10, 60_000);
    for (let i = 0; i < 10_000; i++) log.append(1, { type: 'x' });
    expect(seqs(log.since(9990))).toHaveLength(10);
    expect((log as unknown as { events: unknown[] }).events.length).toBeLessThan(2100);
  });
});
