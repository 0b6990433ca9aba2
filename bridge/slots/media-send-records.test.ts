// Pure parts of the send path: the media kinds and their limits, when audio goes as a voice note,
// and SendRecords keeping what a full disk refused (a ledger double that can fail on demand).
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ArchivedMessage } from '../domain/index.js';
import type { SentLedger, SentRecord } from '../state/sent-ledger.js';
import { checkMedia, checkMediaSize, looksLikeVoiceNote, MEDIA_LIMITS, mediaKind } from './media.js';
import { SendRecords } from './send-records.js';

const MiB = 1024 * 1024;

describe('media kinds and limits', () => {
  it('names the kind by the type (audio as a voice note when asked)', () => {
    expect(mediaKind('image/png', true)).toBe('image');
    expect(mediaKind('audio/ogg', true)).toBe('voice');
    expect(mediaKind('audio/ogg', false)).toBe('audio');
    expect(mediaKind('video/mp4', false)).toBe('video');
    expect(mediaKind('application/pdf', false)).toBe('document');
    expect(mediaKind('text/x-image/', false)).toBe('document'); // the prefix, not anywhere in the name
  });

  it('refuses more than the kind takes with 413 and both sizes in words; exactly the limit passes', () => {
    expect(() => checkMediaSize('image/jpeg', MEDIA_LIMITS.image, false)).not.toThrow();
    expect(() => checkMediaSize('image/jpeg', MEDIA_LIMITS.image + 1, false)).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE', message: 'the image is 16.0 MiB; WhatsApp takes at most 16.0 MiB' }),
    );
    expect(() => checkMediaSize('audio/ogg', 20 * MiB, true)).toThrow('the voice note is 20.0 MiB; WhatsApp takes at most 16.0 MiB');
    expect(() => checkMediaSize('audio/ogg', 20 * MiB, false)).not.toThrow();
    expect(() => checkMediaSize('application/pdf', 150 * MiB, false)).toThrow('the document is 150.0 MiB; WhatsApp takes at most 100.0 MiB');
  });

  it('sends audio as a voice note when it is Opus or named like one, never other files', () => {
    expect(looksLikeVoiceNote('audio/ogg', 'audio/ogg; codecs=opus', undefined)).toBe(true);
    expect(looksLikeVoiceNote('audio/ogg; codecs=opus', 'audio/ogg', 'x.ogg')).toBe(true);
    expect(looksLikeVoiceNote('audio/mpeg', 'audio/mp3', 'voice_note.mp3')).toBe(true);
    expect(looksLikeVoiceNote('audio/mpeg', 'AUDIO/MP3', 'PTT-2024.mp3')).toBe(true);
    expect(looksLikeVoiceNote('', 'audio/mp3', 'voice.mp3')).toBe(true); // declared audio, bytes unknown
    expect(looksLikeVoiceNote('audio/mpeg', 'audio/mp3', 'song.mp3')).toBe(false);
    expect(looksLikeVoiceNote('audio/mpeg', 'audio/mp3', 'my voice.mp3')).toBe(false);
    expect(looksLikeVoiceNote('audio/mpeg', 'audio/mp3', 'voice_note.mp3.bak ')).toBe(false);
    expect(looksLikeVoiceNote('audio/mpeg', 'audio/mp3', undefined)).toBe(false);
    expect(looksLikeVoiceNote('application/pdf', 'application/pdf; codecs=opus', 'voice.pdf')).toBe(false);
  });

  it('refuses empty data and bytes that are not the declared format; text and XML are taken as declared', async () => {
    await expect(checkMedia('==', 'image/png')).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: 'base64: decodes to no bytes' });
    const text = Buffer.from('just some words, no magic bytes').toString('base64');
    await expect(checkMedia(text, 'image/png')).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/^mimetype: the data is not image\/png/) });
    await expect(checkMedia(text, 'audio/mp3')).rejects.toMatchObject({ code: 'VALIDATION_ERROR' }); // a name for a sniffable format
    expect((await checkMedia(text, 'text/plain')).mime).toBe('text/plain');
    expect((await checkMedia(text, 'application/rss+xml')).mime).toBe('application/rss+xml');
    expect((await checkMedia(` ${text.slice(0, 8)}\n${text.slice(8)} `, 'text/csv')).base64).toBe(text);
    expect((await checkMedia(`data:text/plain;base64,${text}`, 'text/plain')).base64).toBe(text);
  });
});

function message(id: string): ArchivedMessage {
  return { id, chatId: '962781523783@c.us', body: 'hi', fromMe: 1, timestamp: 1, type: 'chat', hasMedia: 0, senderName: '', ack: 1 };
}

/** A ledger whose saves fail while `full` is set (a full disk). */
function ledger() {
  const saved: SentRecord[] = [];
  const attempts: string[] = [];
  const double = {
    full: false,
    saved,
    attempts,
    save(r: SentRecord) {
      if (double.full) throw new Error('SQLITE_FULL');
      saved.push(r);
    },
    has: (slot: number, id: string) => saved.some((r) => r.slot === slot && r.message.id === id),
    beginAttempt(slot: number, key: string) {
      if (double.full) throw new Error('SQLITE_FULL');
      attempts.push(`${slot}:${key}`);
    },
    openAttempt: () => null,
  };
  return double;
}

describe('SendRecords', () => {
  it('keeps what a full disk refused, answers from memory, and saves it in order once the disk takes it', () => {
    const l = ledger();
    const records = new SendRecords(l as unknown as SentLedger, pino({ level: 'silent' }), 60_000);
    l.full = true;
    records.save({ slot: 1, message: message('m1'), idempotency: { key: 'k1', result: { messageId: 'm1' } } });
    records.save({ slot: 2, message: message('m2'), outboxId: 'o2' });
    expect(records.pending).toBe(2);
    expect(records.result(1, 'k1')).toEqual({ messageId: 'm1' });
    expect(records.result(2, 'k1')).toBeUndefined();
    expect(records.sentOutboxEntry('o2')).toBe('m2');
    expect(records.has(1, 'm1')).toBe(true);
    expect(records.has(2, 'm1')).toBe(false);
    expect(records.has(1, 'm2')).toBe(false);
    expect(() => records.beginAttempt(1, 'k9', 'phone:1', 'hi')).not.toThrow();

    l.full = false;
    records.save({ slot: 1, message: message('m3') }); // saving retries the older ones first
    expect(l.saved.map((r) => r.message.id)).toEqual(['m1', 'm2', 'm3']);
    expect(records.pending).toBe(0);
    expect(records.result(1, 'k1')).toBeUndefined();
    expect(records.sentOutboxEntry('o2')).toBeUndefined();
    expect(records.has(1, 'm1')).toBe(true); // from the ledger now
    records.beginAttempt(1, 'k10', 'phone:1', 'hi');
    expect(l.attempts).toEqual(['1:k10']);
    records.close();
  });

  it('close tries once more', () => {
    const l = ledger();
    const records = new SendRecords(l as unknown as SentLedger, pino({ level: 'silent' }), 60_000);
    l.full = true;
    records.save({ slot: 1, message: message('m1') });
    l.full = false;
    records.close();
    expect(l.saved.map((r) => r.message.id)).toEqual(['m1']);
    expect(records.pending).toBe(0);
  });

  it('retries on its own timer', async () => {
    const l = ledger();
    const records = new SendRecords(l as unknown as SentLedger, pino({ level: 'silent' }), 10);
    l.full = true;
    records.save({ slot: 1, message: message('m1') });
    l.full = false;
    await expect.poll(() => records.pending).toBe(0);
    expect(l.saved).toHaveLength(1);
    records.close();
  });
});
