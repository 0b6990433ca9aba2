// The outbox drain in cluster mode: a send interrupted on another node (its claim was made under
// another lease) is never sent again automatically — the new owner's session comes from a snapshot
// that may predate it — but failed as unconfirmed for a person to check. The local store keeps
// sending again what its own chat does not show.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutboxStore, type InterruptedVerdict, type OutboxEntry } from '../state/outbox.js';
import { UNCONFIRMED_ERROR } from './messenger.js';
import { closeMessengerKits, messengerKit, sent } from './testing.js';

afterEach(closeMessengerKits);

/** The cluster store's rule (MysqlOutbox) over the local store: each claim remembers its lease. */
class LeasedOutbox extends OutboxStore {
  /** The lease this node holds now; a takeover is a new one. */
  lease = 1;
  readonly claimedUnder = new Map<string, number>();

  override async claim(entry: OutboxEntry): Promise<boolean> {
    this.claimedUnder.set(entry.id, this.lease);
    return super.claim(entry);
  }

  override async settleInterrupted(entry: OutboxEntry, error: string): Promise<InterruptedVerdict> {
    if (this.claimedUnder.get(entry.id) === this.lease) return 'resend';
    await this.markFailed(entry.id, error);
    return 'unconfirmed';
  }
}

function setup(cluster: boolean) {
  const kit = messengerKit<OutboxStore>({ outbox: (db) => (cluster ? new LeasedOutbox(db) : new OutboxStore(db)) });
  const { outbox } = kit;
  /** Queue texts; the first is claimed by the node that owned the slot before (lease 1), which died mid-send. */
  const queueWithInterrupted = async (bodies: string[]) => {
    const ids: string[] = [];
    for (const body of bodies) ids.push(await outbox.enqueue(1, 'phone:962781523783', 'text', { text: body }));
    const [first] = await outbox.unfinished(1);
    await outbox.claim(first!);
    return ids;
  };
  return { ...kit, queueWithInterrupted };
}

const bodies = (calls: unknown[][]) => calls.map((c) => c[1]);

describe('cluster outbox drain after a takeover', () => {
  it('an interrupted send the chat does not show is not sent again: failed as unconfirmed, reported, the rest drain in order', async () => {
    const t = setup(true);
    const [interrupted, second, third] = await t.queueWithInterrupted(['maybe sent', 'second', 'third']);
    (t.outbox as LeasedOutbox).lease = 2; // another node took the slot over
    await t.messenger.drain(1);
    expect(t.engine.getMessages).toHaveBeenCalledTimes(1); // looked for first
    expect(bodies(t.engine.sendText.mock.calls)).toEqual(['second', 'third']);
    expect(t.events.onOutboxFailed).toHaveBeenCalledTimes(1);
    expect(t.events.onOutboxFailed).toHaveBeenCalledWith(1, interrupted, UNCONFIRMED_ERROR, true);
    expect(t.events.onOutboxSent.mock.calls.map((c) => c[1])).toEqual([second, third]);
    expect(await t.messenger.outboxStatus(interrupted!)).toMatchObject({ status: 'failed', error: UNCONFIRMED_ERROR });
    expect(await t.messenger.outboxSize(1)).toBe(0);
    // A later drain does not bring it back.
    await t.messenger.drain(1);
    expect(t.engine.sendText).toHaveBeenCalledTimes(2);
  });

  it('an interrupted send the chat shows (snapshot newer than the attempt) is marked sent, not sent again', async () => {
    const t = setup(true);
    const [interrupted] = await t.queueWithInterrupted(['already there', 'next']);
    (t.outbox as LeasedOutbox).lease = 2;
    t.engine.getMessages.mockResolvedValueOnce([sent('962781523783@c.us', 'already there', 77)]);
    await t.messenger.drain(1);
    expect(bodies(t.engine.sendText.mock.calls)).toEqual(['next']);
    expect(t.events.onOutboxSent).toHaveBeenCalledWith(1, interrupted, 'true_962781523783@c.us_77');
    expect(t.events.onOutboxFailed).not.toHaveBeenCalled();
  });

  it('a send this node put back under its own lease (its browser died) is still sent again when the chat does not show it', async () => {
    const t = setup(true);
    const [first] = await t.queueWithInterrupted(['put back', 'after']);
    await t.outbox.markPending(first!); // same lease: this session's own chat is authoritative
    await t.messenger.drain(1);
    expect(t.engine.getMessages).toHaveBeenCalledTimes(1);
    expect(bodies(t.engine.sendText.mock.calls)).toEqual(['put back', 'after']);
    expect(t.events.onOutboxFailed).not.toHaveBeenCalled();
  });

  it('a state database that cannot settle the entry stops the drain and sends nothing', async () => {
    const t = setup(true);
    await t.queueWithInterrupted(['in doubt', 'after']);
    (t.outbox as LeasedOutbox).lease = 2;
    vi.spyOn(t.outbox, 'settleInterrupted').mockRejectedValueOnce(new Error('database gone'));
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      await t.messenger.drain(1);
    } finally {
      vi.useRealTimers();
    }
    expect(t.engine.sendText).not.toHaveBeenCalled();
    expect(t.events.onOutboxFailed).not.toHaveBeenCalled();
    expect(await t.messenger.outboxSize(1)).toBe(2);
  });
});

describe('single-node outbox drain after a crash', () => {
  it('keeps sending again what its own chat does not show (one profile, authoritative)', async () => {
    const t = setup(false);
    const [interrupted] = await t.queueWithInterrupted(['not sent before the crash', 'next']);
    expect(await t.outbox.settleInterrupted((await t.outbox.unfinished(1))[0]!, UNCONFIRMED_ERROR)).toBe('resend');
    await t.messenger.drain(1);
    expect(bodies(t.engine.sendText.mock.calls)).toEqual(['not sent before the crash', 'next']);
    expect(t.events.onOutboxFailed).not.toHaveBeenCalled();
    expect(await t.messenger.outboxStatus(interrupted!)).toMatchObject({ status: 'sent', unconfirmed: false });
  });
});
