// The admin app's kept-unsent model against the bridge's outbox events (no browser): an
// `outbox_failed` marked unconfirmed is shown as such, and Retry — the user's choice — is a new
// send with its own idempotency key (the first key would only answer the failed outbox entry).
import { describe, expect, it, vi } from 'vitest';
import type { Api } from '../../renderer/src/api/client.js';
import type { BridgeLink } from '../../renderer/src/api/ws.js';
import type { Message, ServerEvent } from '../../renderer/src/api/types.js';
import { UnsentModel } from '../../renderer/src/state/unsent.js';
import { en } from '../../renderer/src/i18n/en.js';
import { ar } from '../../renderer/src/i18n/ar.js';

function setup() {
  const listeners = new Set<(e: ServerEvent) => void>();
  const link = {
    state: 'open',
    on: (l: (e: ServerEvent) => void) => (listeners.add(l), () => listeners.delete(l)),
    onState: () => () => undefined,
  } as unknown as BridgeLink;
  const post = vi.fn();
  const model = new UnsentModel({ post } as unknown as Api, link);
  model.start();
  const emit = (e: ServerEvent) => listeners.forEach((l) => l(e));
  const row = { id: 'local-1', body: 'see you at 5' } as Message;
  model.keep({ row, slot: 1, chatId: '962781523783@c.us', route: '/api/send', body: { slot: 1, chatId: '962781523783@c.us', message: 'see you at 5' }, error: null });
  const item = () => model.items.get()[0];
  return { model, post, emit, item };
}

describe('kept unsent messages and the bridge outbox', () => {
  it('an unconfirmed outbox failure is shown as unconfirmed; Retry sends it as a new attempt', async () => {
    const t = setup();
    t.post.mockResolvedValueOnce({ queued: true, outboxId: 'o1' });
    await t.model.send('local-1', true);
    expect(t.item()).toMatchObject({ state: 'outbox', outboxId: 'o1' });
    expect(t.post).toHaveBeenLastCalledWith('/api/send', expect.objectContaining({ idempotencyKey: 'local-1', queue: true }));

    t.emit({ type: 'outbox_failed', slot: 1, outboxId: 'o1', error: 'Not confirmed: …', unconfirmed: true });
    expect(t.item()).toMatchObject({ state: 'failed', unconfirmed: true });

    const onSent = vi.fn();
    t.model.onSent = onSent;
    t.post.mockResolvedValueOnce({ messageId: 'true_1' });
    expect(await t.model.send('local-1')).toBe('true_1');
    // Not the first key: the bridge would answer that one with the failed entry and send nothing.
    expect(t.post.mock.calls[1]![1]).toMatchObject({ idempotencyKey: 'local-1~1' });
    expect(t.model.items.get()).toEqual([]);
    expect(onSent).toHaveBeenCalledWith(expect.objectContaining({ row: expect.objectContaining({ id: 'local-1' }) }), 'true_1');
  });

  it('a plain outbox failure is not unconfirmed; a Retry that fails again is not unconfirmed either', async () => {
    const t = setup();
    t.post.mockResolvedValueOnce({ queued: true, outboxId: 'o2' });
    await t.model.send('local-1', true);
    t.emit({ type: 'outbox_failed', slot: 1, outboxId: 'o2', error: '15550190000 is not on WhatsApp' });
    expect(t.item()).toMatchObject({ state: 'failed', unconfirmed: false });
    t.post.mockResolvedValueOnce({ queued: true, outboxId: 'o3' });
    await t.model.send('local-1', true);
    t.emit({ type: 'outbox_failed', slot: 1, outboxId: 'o3', error: 'Not confirmed: …', unconfirmed: true });
    t.post.mockRejectedValueOnce(new Error('offline'));
    await t.model.send('local-1');
    expect(t.item()).toMatchObject({ state: 'failed', unconfirmed: false });
    // Each attempt after an outbox failure has its own key.
    expect(t.post.mock.calls.map((c) => (c[1] as { idempotencyKey: string }).idempotencyKey)).toEqual(['local-1', 'local-1~1', 'local-1~2']);
  });

  it('says "may already have been sent — check the chat" in English and Arabic', () => {
    expect(en.sendUnconfirmed).toMatch(/may already have been sent.*check the chat/i);
    expect(ar.sendUnconfirmed).toContain('تحقّق من المحادثة');
  });
});
