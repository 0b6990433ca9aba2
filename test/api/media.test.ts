// Media end to end on the demo engine: kept on arrival and on send, downloadable with Range,
// ETag and Content-Disposition; thumbnails; 404 / 410 / 202; eviction keeps the rows.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaInfo } from '../../bridge/domain/index.js';
import type { DemoEngine, IncomingMedia } from '../../bridge/engine/demo/index.js';
import type { BridgeEvent } from '../../bridge/types.js';
import { connectSlot, startBridge, waitFor, WsClient, type TestBridge } from '../helpers/bridge.js';
import { capturingDemoFactory, jpegPhoto, mp4Video, oggOpusNote, oggOpusVoice, pdfDocument } from '../helpers/media.js';

const OMAR = '962781523783@c.us';

/** Supertest hands binary bodies over as Buffers only when asked. */
const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('media', () => {
  let t: TestBridge;
  let engine: DemoEngine;
  const events: BridgeEvent[] = [];
  const get = (url: string) => t.http.get(url).set('apikey', t.token).buffer(true).parse(binary as never);

  async function receive(media: IncomingMedia): Promise<{ id: string; media: MediaInfo }> {
    const message = engine.receiveMedia(OMAR, media);
    const stored = await waitFor(
      () => events.find((e): e is Extract<BridgeEvent, { type: 'message_media' }> => e.type === 'message_media' && e.messageId === message.id),
      10_000,
      'media stored',
    );
    return { id: message.id, media: stored.media };
  }

  beforeAll(async () => {
    const { factory, engines } = capturingDemoFactory();
    t = await startBridge({ slots: 2 }, { engineFactory: factory });
    t.bridge.onEvent((e) => events.push(e));
    await connectSlot(t, 1);
    engine = engines.get(1)!;
  });
  afterAll(() => t.stop());

  it('keeps an incoming photo, voice note, video and PDF and serves each byte for byte', async () => {
    const files: [IncomingMedia, string][] = [
      [{ data: await jpegPhoto(), mimetype: 'image/jpeg', caption: 'the shop front' }, 'image/jpeg'],
      [{ data: oggOpusVoice(), mimetype: 'audio/ogg; codecs=opus', type: 'ptt', durationMs: 7000 }, 'audio/ogg; codecs=opus'],
      [{ data: mp4Video(), mimetype: 'video/mp4', durationMs: 12_000 }, 'video/mp4'],
      [{ data: pdfDocument(), mimetype: 'application/pdf', filename: 'فاتورة March.pdf' }, 'application/pdf'],
    ];
    for (const [media, mime] of files) {
      const got = await receive(media);
      expect(got.media).toMatchObject({ status: 'stored', mimetype: mime, size: media.data.length, url: expect.stringMatching(/^\/api\/slots\/1\/messages\/.+\/media$/) });
      if (media.durationMs) expect(got.media.durationMs).toBe(media.durationMs);
      const res = await get(got.media.url).expect(200);
      expect(res.headers['content-type']).toBe(mime);
      expect(Number(res.headers['content-length'])).toBe(media.data.length);
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect((res.body as Buffer).equals(media.data)).toBe(true);
    }
  });

  it('seeks with Range, answers conditional requests by ETag, and names the file safely', async () => {
    const voice = oggOpusVoice(50_000);
    const got = await receive({ data: voice, mimetype: 'audio/ogg; codecs=opus', type: 'ptt' });
    const part = await get(got.media.url).set('Range', 'bytes=1000-1999').expect(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${voice.length}`);
    expect((part.body as Buffer).equals(voice.subarray(1000, 2000))).toBe(true);
    const tail = await get(got.media.url).set('Range', 'bytes=-100').expect(206);
    expect((tail.body as Buffer).equals(voice.subarray(voice.length - 100))).toBe(true);
    const beyond = await get(got.media.url).set('Range', `bytes=${voice.length + 10}-`).expect(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${voice.length}`);
    expect(JSON.parse((beyond.body as Buffer).toString())).toMatchObject({ error: { code: 'RANGE_NOT_SATISFIABLE' } });

    const full = await get(got.media.url).expect(200);
    const etag = full.headers.etag!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    await get(got.media.url).set('If-None-Match', etag).expect(304);
    expect(full.headers['content-disposition']).toBe('inline; filename=whatsapp-media.ogg');

    const doc = await receive({ data: pdfDocument(), mimetype: 'application/pdf', filename: '../../فاتورة "March".pdf' });
    const res = await get(doc.media.url).expect(200);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="?????? March.pdf"; filename*=UTF-8''%D9%81%D8%A7%D8%AA%D9%88%D8%B1%D8%A9%20March.pdf`,
    );
  });

  it('makes a small WebP thumbnail of a photo once, and none for a PDF', async () => {
    const photo = await receive({ data: await jpegPhoto(1600, 1200), mimetype: 'image/jpeg' });
    expect(photo.media.thumbUrl).toBe(`${photo.media.url}?thumb=1`);
    const thumb = await get(photo.media.thumbUrl!).expect(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect((thumb.body as Buffer).length).toBeLessThan(photo.media.size! / 4);
    const sharp = (await import('sharp')).default;
    const meta = await sharp(thumb.body as Buffer).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBe(320);
    expect(fs.readdirSync(path.join(t.dataDir, 'media', 'thumbs'))).toHaveLength(1);
    await get(photo.media.thumbUrl!).expect(200);
    expect(fs.readdirSync(path.join(t.dataDir, 'media', 'thumbs'))).toHaveLength(1);

    const doc = await receive({ data: pdfDocument(), mimetype: 'application/pdf' });
    expect(doc.media.thumbUrl).toBeUndefined();
    const none = await get(`${doc.media.url}?thumb=1`).expect(404);
    expect(JSON.parse((none.body as Buffer).toString())).toMatchObject({ error: { code: 'MEDIA_NOT_FOUND' } });
  });

  it('gives a received video the thumbnail made from the preview WhatsApp carried', async () => {
    const preview = await jpegPhoto(480, 270);
    const video = await receive({ data: mp4Video(), mimetype: 'video/mp4', durationMs: 9000, thumbnail: preview });
    expect(video.media.thumbUrl).toBe(`${video.media.url}?thumb=1`);
    const thumb = await get(video.media.thumbUrl!).expect(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    const sharp = (await import('sharp')).default;
    const meta = await sharp(thumb.body as Buffer).metadata();
    expect([meta.width, meta.height]).toEqual([320, 180]);
    // The row read back later says so too.
    const row = await waitFor(async () => {
      const rows = await t.http.get('/api/archive').query({ slot: 1, chatId: OMAR, limit: 50 }).set('apikey', t.token).expect(200);
      return (rows.body.data as { id: string; media?: { thumbUrl?: string } }[]).find((r) => r.id === video.id);
    }, 10_000, 'the video in the archive');
    expect(row.media?.thumbUrl).toBe(video.media.thumbUrl);

    // Without a preview (or with bytes that are no image) a video has none, and asking is a 404.
    const bare = await receive({ data: mp4Video(30_000), mimetype: 'video/mp4' });
    expect(bare.media.thumbUrl).toBeUndefined();
    await get(`${bare.media.url}?thumb=1`).expect(404);
    const broken = await receive({ data: mp4Video(40_000), mimetype: 'video/mp4', thumbnail: Buffer.from('not a jpeg at all') });
    expect(broken.media.thumbUrl).toBeUndefined();
  });

  it('keeps media the bridge sends and serves it back byte for byte', async () => {
    const video = mp4Video(200_000);
    const sent = await t.http
      .post('/api/send-media')
      .set('apikey', t.token)
      .send({ slot: 1, phone: '962781523783', base64: video.toString('base64'), mimetype: 'video/mp4', filename: 'tour.mp4' })
      .expect(200);
    const id = sent.body.messageId as string;
    await waitFor(() => events.find((e) => e.type === 'message_media' && e.messageId === id), 10_000, 'sent media stored');
    const res = await get(`/api/slots/1/messages/${encodeURIComponent(id)}/media`).expect(200);
    expect((res.body as Buffer).equals(video)).toBe(true);
    expect(res.headers['content-disposition']).toBe('inline; filename=tour.mp4');
  });

  it('reads the length of a voice note it sends from the Ogg Opus bytes', async () => {
    const sent = await t.http
      .post('/api/send-media')
      .set('apikey', t.token)
      .send({ slot: 1, phone: '962781523783', base64: oggOpusNote(12).toString('base64'), mimetype: 'audio/ogg; codecs=opus', asVoice: true })
      .expect(200);
    const id = sent.body.messageId as string;
    const stored = await waitFor(
      () => events.find((e): e is Extract<BridgeEvent, { type: 'message_media' }> => e.type === 'message_media' && e.messageId === id),
      10_000,
      'sent voice note stored',
    );
    expect(stored.media).toMatchObject({ mimetype: 'audio/ogg; codecs=opus', durationMs: 12_000 });
  });

  it('announces media on new_message and lists it on get_messages and the archive', async () => {
    const ws = await WsClient.open(t.bridge.url, t.token);
    try {
      const got = await receive({ data: await jpegPhoto(64, 64), mimetype: 'image/jpeg', caption: 'sample' });
      const frame = await ws.waitFrame((f) => f.type === 'new_message' && (f.message as { id: string }).id === got.id);
      expect((frame.message as { media: MediaInfo }).media).toMatchObject({ status: 'pending', mimetype: 'image/jpeg', url: got.media.url, thumbUrl: got.media.thumbUrl });
      await ws.waitFrame((f) => f.type === 'message_media' && f.messageId === got.id);
      const reply = await ws.command('get_messages', { slot: 1, chatId: OMAR, limit: 5 });
      const row = (reply.data as { id: string; media?: MediaInfo }[]).find((r) => r.id === got.id)!;
      expect(row.media).toMatchObject({ status: 'stored', mimetype: 'image/jpeg', size: expect.any(Number) });
      await waitFor(async () => {
        const archive = await t.http.get('/api/archive').set('apikey', t.token).query({ slot: 1, chatId: OMAR, limit: 50 });
        return (archive.body.data as { id: string; media?: MediaInfo }[]).find((r) => r.id === got.id)?.media?.status === 'stored';
      }, 5000, 'archive row with media');
    } finally {
      ws.close();
    }
  });

  it('answers 404 for unknown messages and messages without media, 410 for media WhatsApp no longer has', async () => {
    const unknown = await get('/api/slots/1/messages/false_1@c.us_NOPE/media').expect(404);
    expect(JSON.parse((unknown.body as Buffer).toString())).toMatchObject({ success: false, error: { code: 'MEDIA_NOT_FOUND' } });
    const text = await t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, phone: '962781523783', message: 'no file' }).expect(200);
    await waitFor(async () => (await get(`/api/slots/1/messages/${encodeURIComponent(text.body.messageId)}/media`)).status === 404, 5000, '404');

    const message = engine.receiveMedia(OMAR, { data: pdfDocument(), mimetype: 'application/pdf', expired: true });
    await waitFor(() => events.find((e) => e.type === 'message_media' && e.messageId === message.id && e.media.status === 'expired'), 5000, 'expired');
    const gone = await get(`/api/slots/1/messages/${encodeURIComponent(message.id)}/media`).expect(410);
    expect(JSON.parse((gone.body as Buffer).toString())).toMatchObject({ error: { code: 'MEDIA_EXPIRED' } });

    await get('/api/slots/9/messages/x/media').expect(400);
    await get('/api/slots/one/messages/x/media').expect(400);
    await t.http.get('/api/slots/1/messages/x/media').expect(401);
  });

  it('answers 202 with Retry-After while a download is still running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const original = engine.downloadMedia.bind(engine);
    engine.downloadMedia = async (id) => {
      await gate;
      return original(id);
    };
    try {
      const data = pdfDocument();
      const message = engine.receiveMedia(OMAR, { data, mimetype: 'application/pdf' });
      const res = await get(`/api/slots/1/messages/${encodeURIComponent(message.id)}/media`).expect(202);
      expect(res.headers['retry-after']).toBe('2');
      release();
      await waitFor(() => events.find((e) => e.type === 'message_media' && e.messageId === message.id), 5000, 'stored');
      const done = await get(`/api/slots/1/messages/${encodeURIComponent(message.id)}/media`).expect(200);
      expect((done.body as Buffer).equals(data)).toBe(true);
    } finally {
      engine.downloadMedia = original;
    }
  });
});

describe('media store cap', () => {
  it('evicts the oldest files under a tiny cap, keeps the rows, and fetches an evicted file again', async () => {
    const { factory, engines } = capturingDemoFactory();
    // 0.25 MiB: room for two of the 100 KB files below.
    const t = await startBridge({ slots: 1, mediaMaxMb: 0.25 }, { engineFactory: factory });
    const events: BridgeEvent[] = [];
    t.bridge.onEvent((e) => events.push(e));
    try {
      await connectSlot(t, 1);
      const engine = engines.get(1)!;
      const files = [mp4Video(100_000), mp4Video(100_000), mp4Video(100_000)];
      const ids: string[] = [];
      for (const data of files) {
        const m = engine.receiveMedia(OMAR, { data, mimetype: 'video/mp4' });
        ids.push(m.id);
        await waitFor(() => events.find((e) => e.type === 'message_media' && e.messageId === m.id), 5000, 'stored');
      }
      const shards = fs.readdirSync(path.join(t.dataDir, 'media')).filter((d) => /^[0-9a-f]{2}$/.test(d));
      const stored = shards.flatMap((d) => fs.readdirSync(path.join(t.dataDir, 'media', d)));
      expect(stored).toHaveLength(2);
      await waitFor(async () => {
        const rows = (await t.http.get('/api/archive').set('apikey', t.token).query({ slot: 1, chatId: OMAR, limit: 50 })).body.data as { id: string; media?: MediaInfo }[];
        return ids.every((id) => rows.find((r) => r.id === id)?.media?.size === 100_032);
      }, 5000, 'rows with media metadata');
      // The evicted first file comes back from "WhatsApp" on request.
      const res = await t.http.get(`/api/slots/1/messages/${encodeURIComponent(ids[0]!)}/media`).set('apikey', t.token).buffer(true).parse(binary as never).expect(200);
      expect((res.body as Buffer).equals(files[0]!)).toBe(true);
    } finally {
      await t.stop();
    }
  });
});
