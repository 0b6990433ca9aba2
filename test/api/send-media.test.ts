// Sending media: by multipart upload as well as base64, MIME checked against the bytes,
// WhatsApp's size limits (413), voice notes (including the seed's audio/mp3 example).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../../bridge/types.js';
import { connectSlot, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { jpegPhoto, mp3Audio, mp4Video, oggOpusVoice, pdfDocument } from '../helpers/media.js';

const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('sending media', () => {
  let t: TestBridge;
  const events: BridgeEvent[] = [];
  const upload = () => t.http.post('/api/send-media').set('apikey', t.token);
  const sentType = (id: string) =>
    waitFor(() => {
      const e = events.find((ev) => ev.type === 'new_message' && ev.message.id === id);
      return e?.type === 'new_message' ? e.message.type : undefined;
    }, 5000, 'new_message of the sent media');

  beforeAll(async () => {
    t = await startBridge({ slots: 1 });
    t.bridge.onEvent((e) => events.push(e));
    await connectSlot(t, 1);
  });
  afterAll(() => t.stop());

  it('takes a multipart upload and the video round-trips byte for byte', async () => {
    const video = mp4Video(300_000);
    const res = await upload()
      .field('slot', '1')
      .field('phone', '962781523783')
      .field('caption', 'the new shelf')
      .attach('file', video, { filename: 'shelf.mp4', contentType: 'video/mp4' })
      .expect(200);
    const id = res.body.messageId as string;
    expect(await sentType(id)).toBe('video');
    await waitFor(() => events.find((e) => e.type === 'message_media' && e.messageId === id), 5000, 'stored');
    const back = await t.http.get(`/api/slots/1/messages/${encodeURIComponent(id)}/media`).set('apikey', t.token).buffer(true).parse(binary as never).expect(200);
    expect((back.body as Buffer).equals(video)).toBe(true);
    expect(back.headers['content-disposition']).toBe('inline; filename=shelf.mp4');
  });

  it('sends voice notes: Opus by upload with asVoice, and the seed example audio/mp3 voice_note.mp3 as base64', async () => {
    const ogg = await upload().field('slot', '1').field('phone', '962781523783').field('asVoice', 'true')
      .attach('file', oggOpusVoice(), { filename: 'rec.ogg', contentType: 'audio/ogg; codecs=opus' });
    expect(ogg.status).toBe(200);
    expect(await sentType(ogg.body.messageId)).toBe('ptt');
    const seed = await upload()
      .send({ slot: 1, phone: '962781523783', base64: mp3Audio().toString('base64'), mimetype: 'audio/mp3', filename: 'voice_note.mp3', caption: 'Listen to this audio record' })
      .expect(200);
    expect(await sentType(seed.body.messageId)).toBe('ptt');
    const song = await upload().send({ slot: 1, phone: '962781523783', base64: mp3Audio().toString('base64'), mimetype: 'audio/mpeg', filename: 'song.mp3' }).expect(200);
    expect(await sentType(song.body.messageId)).toBe('audio');
  });

  it('checks the MIME type against the bytes, for uploads too', async () => {
    const res = await upload().field('slot', '1').field('phone', '962781523783')
      .attach('file', pdfDocument(), { filename: 'x.png', contentType: 'image/png' }).expect(400);
    expect(res.body.error).toEqual({ code: 'VALIDATION_ERROR', message: 'mimetype: the data is application/pdf, not image/png' });
    const voice = await upload().field('slot', '1').field('phone', '962781523783').field('asVoice', 'true')
      .attach('file', await jpegPhoto(32, 32), { filename: 'p.jpg', contentType: 'image/jpeg' }).expect(400);
    expect(voice.body.error.message).toMatch(/only audio/);
  });

  it('sends a still image as a sticker, by upload or base64; refuses anything else as a sticker', async () => {
    const photo = await jpegPhoto(32, 32);
    const up = await upload().field('slot', '1').field('phone', '962781523783').field('asSticker', 'true')
      .attach('file', photo, { filename: 'smile.jpg', contentType: 'image/jpeg' }).expect(200);
    expect(await sentType(up.body.messageId as string)).toBe('sticker');
    const b64 = await upload().send({ slot: 1, phone: '962781523783', base64: photo.toString('base64'), mimetype: 'image/jpeg', asSticker: true }).expect(200);
    expect(await sentType(b64.body.messageId as string)).toBe('sticker');
    const plain = await upload().send({ slot: 1, phone: '962781523783', base64: photo.toString('base64'), mimetype: 'image/jpeg' }).expect(200);
    expect(await sentType(plain.body.messageId as string)).toBe('image');
    const audio = await upload().field('slot', '1').field('phone', '962781523783').field('asSticker', 'true')
      .attach('file', oggOpusVoice(), { filename: 'v.ogg', contentType: 'audio/ogg' }).expect(400);
    expect(audio.body.error).toEqual({ code: 'VALIDATION_ERROR', message: 'asSticker: only a PNG, JPEG or WebP image can be sent as a sticker (this file is audio/ogg)' });
    const notBool = await upload().send({ slot: 1, phone: '962781523783', base64: photo.toString('base64'), mimetype: 'image/jpeg', asSticker: 'yes' }).expect(400);
    expect(notBool.body.error.message).toMatch(/asSticker/);
  });

  it('refuses files over WhatsApp\'s limits with 413, naming the limit', async () => {
    const big = Buffer.concat([await jpegPhoto(16, 16), Buffer.alloc(17 * 1024 * 1024)]);
    const res = await upload().field('slot', '1').field('phone', '962781523783')
      .attach('file', big, { filename: 'huge.jpg', contentType: 'image/jpeg' }).expect(413);
    expect(res.body.error).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/^the image is 17\.0 MiB; WhatsApp takes at most 16\.0 MiB$/) });
  });

  it('gives clear 400s for a form without a file, two files, or a bad boolean', async () => {
    const none = await upload().field('slot', '1').field('phone', '962781523783').field('mimetype', 'image/png').expect(400);
    expect(none.body.error.message).toMatch(/^file is required/);
    const two = await upload().field('slot', '1').field('phone', '962781523783')
      .attach('file', pdfDocument(), 'a.pdf').attach('other', pdfDocument(), 'b.pdf').expect(400);
    expect(two.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('"file"') });
    const bool = await upload().field('slot', '1').field('phone', '962781523783').field('queue', 'maybe')
      .attach('file', pdfDocument(), { filename: 'a.pdf', contentType: 'application/pdf' }).expect(400);
    expect(bool.body.error.message).toBe('queue must be true or false, not the text "maybe"');
  });
});
