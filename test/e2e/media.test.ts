// Media end to end with the real whatsapp-web.js engine in Chromium against the simulator: an
// incoming photo, voice note, video and PDF on slot 1 are each downloadable byte for byte (Range
// on the voice note); a sent video round-trips; an expired file answers 410.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { sweepOrphanBrowsers } from '../../bridge/engine/chromium/index.js';
import type { MediaInfo } from '../../bridge/domain/index.js';
import { startBridge, tempDir, WsClient, type TestBridge } from '../helpers/bridge.js';
import { jpegPhoto, mp4Video, oggOpusVoice, pdfDocument } from '../helpers/media.js';
import { simForSlot, type SimControl } from '../wa-sim/control.js';
import { prepareSimulatorCache } from '../wa-sim/index.js';

const PEER = '962781523783';

const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('media on the simulator', () => {
  let dataDir: string;
  let t: TestBridge;
  let ws: WsClient;
  let sim: SimControl;
  const get = (url: string) => t.http.get(url).set('apikey', t.token).buffer(true).parse(binary as never);

  /** The `media` object of a message once the bridge has stored (or given up on) its file. */
  const settled = (messageId: string) =>
    ws.waitFrame((f) => f.type === 'message_media' && f.messageId === messageId, 60_000, `media of ${messageId}`).then((f) => f.media as MediaInfo);

  beforeAll(async () => {
    const cache = prepareSimulatorCache(tempDir('wab-media-e2e-cache-'), { qrIntervalMs: 5000 });
    dataDir = tempDir('wab-media-e2e-');
    t = await startBridge({
      dataDir,
      engine: 'wwebjs',
      slots: 1,
      chromePath: '/usr/bin/chromium',
      webVersion: cache.webVersion,
      webCacheDir: cache.webCacheDir,
      reconnectDelayMs: 1000,
    });
    ws = await WsClient.open(t.bridge.url, t.token);
    await t.http.post('/api/connect').set('apikey', t.token).send({ slot: 1 }).expect(200);
    await ws.waitFrame((f) => f.type === 'qr' && f.slot === 1, 120_000, 'qr');
    sim = await simForSlot(dataDir, 1, { timeoutMs: 60_000 });
    await sim.scanQr({ phone: '15550002001', pushname: 'Media shop' });
    await ws.waitFrame((f) => f.type === 'status' && f.slot === 1 && f.ready === true, 120_000, 'ready');
  });

  afterAll(async () => {
    ws?.close();
    await sim?.disconnect().catch(() => undefined);
    await t?.stop();
    await sweepOrphanBrowsers(dataDir, pino({ level: 'silent' }));
  });

  it('keeps an incoming photo, voice note, video and PDF; each downloads byte for byte, the voice note by Range too', async () => {
    const files = [
      { type: 'image' as const, bytes: await jpegPhoto(640, 480), mimetype: 'image/jpeg', caption: 'the shop front' },
      { type: 'ptt' as const, bytes: oggOpusVoice(30_000), mimetype: 'audio/ogg; codecs=opus' },
      { type: 'video' as const, bytes: mp4Video(400_000), mimetype: 'video/mp4' },
      { type: 'document' as const, bytes: pdfDocument(), mimetype: 'application/pdf', filename: 'Invoice-2031.pdf' },
    ];
    for (const f of files) {
      const id = await sim.deliverMessage({
        from: PEER,
        type: f.type,
        caption: f.caption,
        media: { mimetype: f.mimetype, data: f.bytes.toString('base64'), filename: f.filename },
      });
      const media = await settled(id);
      expect(media).toMatchObject({ status: 'stored', size: f.bytes.length, url: `/api/slots/1/messages/${encodeURIComponent(id)}/media` });
      const res = await get(media.url).expect(200);
      expect((res.body as Buffer).equals(f.bytes)).toBe(true);
      if (f.filename) expect(res.headers['content-disposition']).toBe(`attachment; filename=${f.filename}`);
      if (f.type === 'ptt') {
        const part = await get(media.url).set('Range', 'bytes=100-4099').expect(206);
        expect(part.headers['content-range']).toBe(`bytes 100-4099/${f.bytes.length}`);
        expect((part.body as Buffer).equals(f.bytes.subarray(100, 4100))).toBe(true);
      }
    }
  });

  it('round-trips a sent video, and answers 410 for a file WhatsApp no longer has', async () => {
    const video = mp4Video(300_000);
    const sent = await t.http
      .post('/api/send-media')
      .set('apikey', t.token)
      .field('slot', '1')
      .field('phone', PEER)
      .attach('file', video, { filename: 'tour.mp4', contentType: 'video/mp4' })
      .expect(200);
    const media = await settled(sent.body.messageId as string);
    expect((await get(media.url).expect(200)).body.equals(video)).toBe(true);

    const gone = await sim.deliverMessage({ from: PEER, type: 'document', media: { mimetype: 'application/pdf', data: pdfDocument().toString('base64'), filename: 'old.pdf', expired: true } });
    expect(await settled(gone)).toMatchObject({ status: 'expired' });
    const res = await get(`/api/slots/1/messages/${encodeURIComponent(gone)}/media`).expect(410);
    expect(JSON.parse((res.body as Buffer).toString())).toMatchObject({ error: { code: 'MEDIA_EXPIRED' } });
  });
});
