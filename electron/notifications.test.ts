import { describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../bridge/types.js';
import { notificationFor, previewText } from './notifications.js';

const NOW = 1_779_118_700;
const hidden = { visible: false, focused: false };

function message(over: Partial<Extract<BridgeEvent, { type: 'new_message' }>['message']> = {}, chat: any = null): BridgeEvent {
  return {
    type: 'new_message',
    slot: 2,
    message: { id: 'false_1@c.us_A', chatId: '962781523783@c.us', body: 'Hi there!', fromMe: 0, timestamp: NOW, type: 'chat', hasMedia: 0, senderName: 'Ali', ack: 1, ...over },
    chat,
  };
}

describe('notificationFor', () => {
  it('notifies for an incoming message while the window is hidden', () => {
    expect(notificationFor(message(), hidden, NOW)).toEqual({ title: 'Ali', body: 'Hi there!', slot: 2, chatId: '962781523783@c.us' });
  });

  it('stays quiet while the owner is looking at the window', () => {
    expect(notificationFor(message(), { visible: true, focused: true }, NOW)).toBeNull();
    expect(notificationFor(message(), { visible: true, focused: false }, NOW)).not.toBeNull();
  });

  it('never notifies for my own messages or other events', () => {
    expect(notificationFor(message({ fromMe: 1 }), hidden, NOW)).toBeNull();
    expect(notificationFor({ type: 'status', slot: 1, ready: true, state: 'READY' }, hidden, NOW)).toBeNull();
  });

  it('respects a mute until it expires, and a forever mute', () => {
    const chat = (muteExpiration: number) => ({ name: 'Ali', isGroup: false, isMuted: muteExpiration !== 0, muteExpiration });
    expect(notificationFor(message({}, chat(NOW + 60)), hidden, NOW)).toBeNull();
    expect(notificationFor(message({}, chat(-1)), hidden, NOW)).toBeNull();
    // The library's isMuted stays true after expiry; the expiration decides.
    expect(notificationFor(message({}, chat(NOW - 60)), hidden, NOW)).not.toBeNull();
    expect(notificationFor(message({}, chat(0)), hidden, NOW)).not.toBeNull();
  });

  it('names the group and the sender for group messages', () => {
    const chat = { name: 'Shop staff', isGroup: true, isMuted: false, muteExpiration: 0 };
    const n = notificationFor(message({ chatId: '1203630-1@g.us', senderName: 'Sara' }, chat), hidden, NOW);
    expect(n?.title).toBe('Sara @ Shop staff');
  });

  it('falls back to the chat name, then the number, for an unnamed sender', () => {
    expect(notificationFor(message({ senderName: '' }, { name: 'Ali Shop', isGroup: false, isMuted: false, muteExpiration: 0 }), hidden, NOW)?.title).toBe('Ali Shop');
    expect(notificationFor(message({ senderName: '' }), hidden, NOW)?.title).toBe('962781523783');
  });
});

describe('previewText', () => {
  it('labels media and keeps captions, worded as the phones\' pushes are', () => {
    expect(previewText({ type: 'image', body: '', hasMedia: 1 })).toBe('📷 Photo');
    expect(previewText({ type: 'image', body: 'the invoice', hasMedia: 1 })).toBe('📷 the invoice');
    expect(previewText({ type: 'ptt', body: '', hasMedia: 1 })).toBe('🎤 Voice message');
    expect(previewText({ type: 'sticker', body: '', hasMedia: 1 })).toBe('💟 Sticker');
    expect(previewText({ type: 'poll', body: 'Lunch?', hasMedia: 0 })).toBe('📊 Lunch?');
    expect(previewText({ type: 'e2e_notification', body: '', hasMedia: 0 })).toBe('New message');
  });

  it('puts text on one line and cuts it short', () => {
    expect(previewText({ type: 'chat', body: 'line one\n\nline  two', hasMedia: 0 })).toBe('line one line two');
    const long = previewText({ type: 'chat', body: 'x'.repeat(500), hasMedia: 0 });
    expect(long).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
  });
});
