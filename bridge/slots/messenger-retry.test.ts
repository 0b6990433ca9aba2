// A failed outbox entry retried by the admin (POST /api/outbox/:id/retry) is sent by the drain:
// at once on a ready slot, and also when a drain that read its list earlier is still running.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeMessengerKits, messengerKit as setup, sent } from './testing.js';

afterEach(closeMessengerKits);

const text = (t: string) => ({ kind: 'text' as const, text: t });

describe('Messenger.outboxRetry', () => {
  it('a retry during a running drain is sent when that drain ends', async () => {
    const t = setup({ ready: false });
    const queued = async (phone: string, body: string) => ((await t.messenger.send({ slot: 1, phone, content: text(body), queue: true })) as { outboxId: string }).outboxId;
    const nobody = await queued('15550190000', 'nobody yet');
    t.slot.ready = true;
    await t.messenger.drain(1);
    expect(t.events.onOutboxFailed).toHaveBeenCalledWith(1, nobody, expect.stringContaining('not on WhatsApp'));

    // A long drain: its first send waits until released.
    t.slot.ready = false;
    const slow = await queued('15550100001', 'slow');
    t.slot.ready = true;
    let release = () => {};
    t.engine.sendText.mockImplementationOnce((chatId: string, body: string) => new Promise((resolve) => (release = () => resolve(sent(chatId, body, 99)))));
    const running = t.messenger.drain(1);
    await vi.waitFor(() => expect(t.engine.sendText).toHaveBeenCalledWith('15550100001@c.us', 'slow', expect.anything()));

    // The number is on WhatsApp now; the admin retries while the drain is busy.
    t.engine.resolvePhone.mockImplementation(async (digits: string) => `${digits}@c.us`);
    expect(await t.messenger.outboxRetry(nobody, 1)).toBe(true);
    expect(await t.messenger.outboxRetry(nobody, 1)).toBe(false); // pending now, not failed
    release();
    await running;
    expect(t.events.onOutboxSent).toHaveBeenCalledWith(1, slow, 'true_15550100001@c.us_99');
    await vi.waitFor(() => expect(t.events.onOutboxSent).toHaveBeenCalledWith(1, nobody, expect.stringContaining('15550190000@c.us')));
    expect(await t.messenger.outboxStatus(nobody)).toMatchObject({ status: 'sent' });
  });
});
