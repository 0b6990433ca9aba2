// The smaller defects of issue 18: one recipient key for phone and chatId, refused requests
// logged, IPv4-mapped allow-list ranges, media bytes against the declared type, the body limit.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressCheck } from '../../bridge/access/network.js';
import { connectSlot, startBridge, type TestBridge } from '../helpers/bridge.js';

const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('per-recipient limit', () => {
  let t: TestBridge;
  beforeAll(async () => {
    t = await startBridge({ ratePerMinute: 2 });
    await connectSlot(t, 1);
  });
  afterAll(() => t.stop());

  it('counts phone and chatId of the same person as one recipient', async () => {
    const send = (to: Record<string, string>) => t.http.post('/api/send').set('apikey', t.token).send({ slot: 1, message: 'hi', ...to });
    expect((await send({ phone: '+1 555 010 0077' })).status).toBe(200);
    expect((await send({ chatId: '15550100077@c.us' })).status).toBe(200);
    const third = await send({ phone: '15550100077' });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('RATE_LIMITED');
    // Someone else is not affected.
    expect((await send({ chatId: '15550100078@c.us' })).status).toBe(200);
  });

  it('media whose bytes are not the declared type is refused', async () => {
    const media = (base64: string, mimetype: string) =>
      t.http.post('/api/send-media').set('apikey', t.token).send({ slot: 1, phone: '15550100090', base64, mimetype });
    for (const [text, mime] of [
      ['<html><body>hello</body></html>', 'image/png'],
      ['just some text', 'image/jpeg'],
      ['<script>alert(1)</script>', 'video/mp4'],
      ['plain', 'application/pdf'],
    ]) {
      const res = await media(Buffer.from(text!).toString('base64'), mime!);
      expect(res.status, mime).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('mimetype') });
    }
    expect((await media(PNG_1PX, 'image/png')).status).toBe(200);
    // Text formats are taken as declared.
    expect((await media(Buffer.from('BEGIN:VCARD\nEND:VCARD').toString('base64'), 'text/vcard')).status).toBe(200);
  });
});

describe('body limit', () => {
  it('fits a 16 MiB media file as base64 (the admin app allows 16 MiB files)', async () => {
    const t = await startBridge();
    try {
      const file = Buffer.alloc(16 * 1024 * 1024);
      Buffer.from(PNG_1PX, 'base64').copy(file); // starts like a PNG
      const res = await t.http.post('/api/send-media').set('apikey', t.token).send({ slot: 1, phone: '15550100001', base64: file.toString('base64'), mimetype: 'image/png' });
      // Read and checked in full; the slot is simply not connected.
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('NOT_CONNECTED');
    } finally {
      await t.stop();
    }
  });
});

describe('allow-list', () => {
  it('IPv4-mapped ranges and addresses match either way', () => {
    const check = createAddressCheck(['::ffff:192.168.0.0/112', '10.0.0.0/8']);
    expect(check('192.168.1.5')).toBe(true);
    expect(check('::ffff:192.168.1.5')).toBe(true);
    expect(check('::ffff:10.1.2.3')).toBe(true);
    expect(check('192.169.1.5')).toBe(false);
    expect(check('::ffff:8.8.8.8')).toBe(false);
  });

  it('a refused (403) request leaves a log line with the address', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const t = await startBridge({ allowCidrs: '10.0.0.0/8' }, { logDestination: sink });
    try {
      await t.http.get('/api/slots').set('apikey', t.token).expect(403);
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged.some((l) => l.msg === 'refused: address not in the allowed networks' && l.address === '127.0.0.1')).toBe(true);
      expect(logged.some((l) => l.msg === 'request' && l.status === 403)).toBe(true);
    } finally {
      await t.stop();
    }
  });
});
