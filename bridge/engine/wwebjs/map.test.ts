// Mapping of whatsapp-web.js objects to domain rows, on plain objects shaped like the library's.
import { describe, expect, it } from 'vitest';
import { chatIdOf, toArchivedMessage, toChatRow, toPollVote, type WaMessageLike } from './map.js';
import { RecentIds } from './recent.js';

const peer = '962781523783@c.us';

function msg(over: Partial<WaMessageLike> & { fromMe?: boolean } = {}): WaMessageLike {
  const { fromMe = false, ...rest } = over;
  return {
    id: { _serialized: `${fromMe}_${peer}_3EB0AA`, fromMe, remote: peer },
    body: 'hello',
    type: 'chat',
    timestamp: 1779118652,
    hasMedia: false,
    ack: 1,
    from: fromMe ? '15550001111@c.us' : peer,
    to: fromMe ? peer : '15550001111@c.us',
    _data: { notifyName: 'Omar' },
    ...rest,
  };
}

describe('toArchivedMessage', () => {
  it('maps an incoming text with the sender name and the API ack', () => {
    expect(toArchivedMessage(msg())).toEqual({
      id: `false_${peer}_3EB0AA`,
      chatId: peer,
      body: 'hello',
      fromMe: 0,
      timestamp: 1779118652,
      type: 'chat',
      hasMedia: 0,
      senderName: 'Omar',
      ack: 2,
      caption: null,
      filename: null,
      mimetype: null,
      pollOptions: null,
      author: peer,
      durationMs: null,
    });
  });

  it('names my own messages "Me" and maps acks -1..4 to 0..5', () => {
    expect(toArchivedMessage(msg({ fromMe: true, ack: -1 }))).toMatchObject({ fromMe: 1, senderName: 'Me', ack: 0 });
    expect([0, 1, 2, 3, 4].map((ack) => toArchivedMessage(msg({ ack })).ack)).toEqual([1, 2, 3, 4, 5]);
  });

  it('shows poll creations as type poll with the question and option names', () => {
    const row = toArchivedMessage(
      msg({ type: 'poll_creation', body: '', pollName: 'Which?', pollOptions: [{ name: 'Node.js' }, { name: 'Python' }] }),
    );
    expect(row).toMatchObject({ type: 'poll', body: 'Which?', pollOptions: ['Node.js', 'Python'] });
  });

  it('counts a just-sent media message as media even before its upload path exists', () => {
    const row = toArchivedMessage(
      msg({ type: 'ptt', hasMedia: false, body: '', _data: { mimetype: 'audio/ogg; codecs=opus', filename: 'v.ogg' } }),
    );
    expect(row).toMatchObject({ type: 'ptt', hasMedia: 1, mimetype: 'audio/ogg; codecs=opus', filename: 'v.ogg' });
    expect(toArchivedMessage(msg({ type: 'image', hasMedia: true, body: 'caption' })).caption).toBe('caption');
  });

  it('gives audio and video their duration in ms when WhatsApp says', () => {
    expect(toArchivedMessage(msg({ type: 'ptt', hasMedia: true, duration: '7' })).durationMs).toBe(7000);
    expect(toArchivedMessage(msg({ type: 'video', hasMedia: true, duration: 2.5 })).durationMs).toBe(2500);
    expect(toArchivedMessage(msg({ type: 'video', hasMedia: true, duration: '' })).durationMs).toBeNull();
    expect(toArchivedMessage(msg({ type: 'image', hasMedia: true })).durationMs).toBeNull();
  });

  it('uses the group author and falls back to digits without a push name', () => {
    const group = '120363025246125486@g.us';
    const row = toArchivedMessage(
      msg({ id: { _serialized: `false_${group}_X`, fromMe: false, remote: { _serialized: group } }, from: group, author: '447700900123@c.us', _data: {} }),
    );
    expect(row).toMatchObject({ chatId: group, author: '447700900123@c.us', senderName: '447700900123' });
  });

  it('finds the chat from the other party when the id has no remote', () => {
    expect(chatIdOf(msg({ id: { _serialized: 'x', fromMe: true } , fromMe: true }))).toBe(peer);
    expect(chatIdOf(msg({ id: { _serialized: 'x', fromMe: false } }))).toBe(peer);
  });
});

describe('toChatRow', () => {
  const now = 1_800_000_000;
  it('computes isMuted itself: an expired mute is not muted, -1 is forever', () => {
    const base = { id: { _serialized: peer }, name: 'Omar', isGroup: false, unreadCount: 2, timestamp: 5 };
    expect(toChatRow({ ...base, muteExpiration: now - 10 }, now)).toMatchObject({ isMuted: false, muteExpiration: now - 10 });
    expect(toChatRow({ ...base, muteExpiration: now + 10 }, now).isMuted).toBe(true);
    expect(toChatRow({ ...base, muteExpiration: -1 }, now).isMuted).toBe(true);
    expect(toChatRow({ ...base, muteExpiration: 0 }, now).isMuted).toBe(false);
  });

  it('fills name, last message and group flag sensibly', () => {
    const row = toChatRow({ id: { _serialized: '120363025246125486@g.us' }, lastMessage: msg({ body: 'Dinner at 8', timestamp: 77 }) }, now);
    expect(row).toEqual({
      chatId: '120363025246125486@g.us',
      name: '120363025246125486',
      isGroup: true,
      unreadCount: 0,
      timestamp: 77,
      lastMessage: 'Dinner at 8',
      isMuted: false,
      muteExpiration: 0,
    });
  });
});

describe('toPollVote', () => {
  const poll = msg({ fromMe: true, type: 'poll_creation', pollName: 'Q', pollOptions: [{ name: 'A' }, { name: 'B' }] });
  it('maps a vote to the poll, with option names and seconds', () => {
    expect(toPollVote({ voter: peer, selectedOptions: [{ name: 'B', localId: 1 }], interractedAtTs: 1_779_118_652_123, parentMessage: poll })).toEqual({
      chatId: peer,
      messageId: poll.id._serialized,
      voter: peer,
      selectedOptions: ['B'],
      timestamp: 1_779_118_652,
    });
  });

  it('takes names from the poll when the vote lacks them, and accepts an empty vote', () => {
    expect(toPollVote({ voter: peer, selectedOptions: [{ name: null, localId: 0 }], parentMessage: poll })?.selectedOptions).toEqual(['A']);
    expect(toPollVote({ voter: peer, selectedOptions: [], parentMessage: poll })?.selectedOptions).toEqual([]);
  });

  it('returns null when the poll is unknown', () => {
    expect(toPollVote({ voter: peer, selectedOptions: [], parentMessage: null, parentMsgKey: null })).toBeNull();
  });
});

describe('RecentIds', () => {
  it('accepts an id once and forgets the oldest beyond its capacity', () => {
    const seen = new RecentIds(2);
    expect(seen.add('a')).toBe(true);
    expect(seen.add('a')).toBe(false);
    seen.add('b');
    seen.add('c');
    expect(seen.add('a')).toBe(true);
    expect(seen.add('c')).toBe(false);
  });
});
