import { describe, expect, it } from 'vitest';
import { buildPushMessage, collapseKeyOf, previewOf, titleOf, truncate, type PushBatch } from './notification.js';
import type { MessageRow } from '../domain/index.js';

const row = (over: Partial<MessageRow> = {}): MessageRow => ({
  id: 'false_1@c.us_A',
  chatId: '962781523783@c.us',
  body: 'hi',
  fromMe: 0,
  timestamp: 1,
  type: 'chat',
  hasMedia: 0,
  senderName: 'Lina',
  ack: 1,
  ...over,
});

describe('previewOf', () => {
  it('labels each media type, and shows a caption after the emoji', () => {
    expect(previewOf(row({ type: 'image', body: '', hasMedia: 1 }))).toBe('📷 Photo');
    expect(previewOf(row({ type: 'image', body: 'at the beach', hasMedia: 1 }))).toBe('📷 at the beach');
    expect(previewOf(row({ type: 'ptt', body: '', hasMedia: 1 }))).toBe('🎤 Voice message');
    expect(previewOf(row({ type: 'document', body: '', hasMedia: 1 }))).toBe('📄 Document');
    expect(previewOf(row({ type: 'video', body: '', hasMedia: 1 }))).toBe('🎥 Video');
    expect(previewOf(row({ type: 'sticker', body: '', hasMedia: 1 }))).toBe('💟 Sticker');
    expect(previewOf(row({ type: 'poll', body: 'Lunch where?' }))).toBe('📊 Lunch where?');
    expect(previewOf(row({ type: 'something_new', body: '', hasMedia: 1 }))).toBe('📎 Attachment');
    expect(previewOf(row({ type: 'chat', body: '   ' }))).toBe('New message');
  });

  it('folds whitespace and cuts long text to 120 characters without splitting emoji', () => {
    expect(previewOf(row({ body: 'line one\n\nline   two' }))).toBe('line one line two');
    const long = '👍🏽'.repeat(200);
    const cut = previewOf(row({ body: long }));
    const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(cut)].map((s) => s.segment);
    expect(graphemes).toHaveLength(120);
    expect(graphemes.slice(0, 119).every((g) => g === '👍🏽')).toBe(true);
    expect(graphemes[119]).toBe('…');
    const arabic = 'مرحبا بكم في الجسر '.repeat(20);
    expect([...new Intl.Segmenter().segment(previewOf(row({ body: arabic })))].length).toBeLessThanOrEqual(120);
    expect(truncate('short')).toBe('short');
  });
});

describe('titleOf', () => {
  const batch = (over: Partial<PushBatch>): PushBatch => ({ slot: 1, chatId: '962781523783@c.us', chat: null, messages: [row()], count: 1, ...over });

  it('uses the chat name, else the sender, else the phone number', () => {
    expect(titleOf(batch({ chat: { name: 'Lina Haddad', isGroup: false } }))).toBe('Lina Haddad');
    expect(titleOf(batch({}))).toBe('Lina');
    expect(titleOf(batch({ messages: [row({ senderName: '' })] }))).toBe('+962781523783');
  });

  it('is "<group> · <sender>" for groups, the group alone when several people wrote', () => {
    const g = { chatId: '120363@g.us', chat: { name: 'Family', isGroup: true } };
    expect(titleOf(batch({ ...g, messages: [row({ senderName: 'Omar' })] }))).toBe('Family · Omar');
    expect(titleOf(batch({ ...g, messages: [row({ senderName: 'Omar' }), row({ senderName: 'Huda' })], count: 2 }))).toBe('Family');
    expect(titleOf(batch({ chatId: '120363@g.us', messages: [row({ senderName: 'Omar' })] }))).toBe('Group · Omar');
  });
});

describe('buildPushMessage', () => {
  it('says how many messages a coalesced batch held and points at the newest', () => {
    const msgs = [row({ id: 'a' }), row({ id: 'b' })];
    const m = buildPushMessage({ slot: 4, chatId: '962781523783@c.us', chat: null, messages: msgs, count: 7 }, 'tok');
    expect(m.notification).toEqual({ title: 'Lina', body: '7 new messages' });
    expect(m.data).toMatchObject({ slot: '4', messageId: 'b', count: '7' });
    expect(m.android?.collapseKey).toBe(collapseKeyOf(4, '962781523783@c.us'));
  });

  it('leaves out an APNs collapse id longer than APNs allows', () => {
    const chatId = `${'1'.repeat(70)}@g.us`;
    const m = buildPushMessage({ slot: 1, chatId, chat: null, messages: [row({ chatId })], count: 1 }, 'tok');
    expect(m.apns?.headers).toEqual({ 'apns-priority': '5' });
  });
});
