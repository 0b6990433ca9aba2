// Real media bytes for tests and benches: formats file-type recognises, built in code so no
// binary fixtures live in the repo. Images are real (sharp renders them) so thumbnails work.
import crypto from 'node:crypto';
import sharp from 'sharp';
import { createDemoEngineFactory, type DemoEngine } from '../../bridge/engine/demo/index.js';
import type { EngineFactory } from '../../bridge/engine/types.js';

export async function jpegPhoto(width = 800, height = 600): Promise<Buffer> {
  const noise = crypto.randomBytes(width * height * 3);
  return sharp(noise, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
}

/** An Ogg page carrying an OpusHead packet (a WhatsApp voice note's container), then payload. */
export function oggOpusVoice(payloadBytes = 20_000): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0);
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(312, 10);
  head.writeUInt32LE(48_000, 12);
  const page = Buffer.alloc(28);
  page.write('OggS', 0);
  page[5] = 2; // beginning of stream
  page[26] = 1; // one segment
  page[27] = head.length;
  return Buffer.concat([page, head, crypto.randomBytes(payloadBytes)]);
}

/** An MP4 `ftyp` box followed by payload bytes. */
export function mp4Video(payloadBytes = 100_000): Buffer {
  const ftyp = Buffer.alloc(32);
  ftyp.writeUInt32BE(32, 0);
  ftyp.write('ftypisom', 4);
  ftyp.writeUInt32BE(512, 12);
  ftyp.write('isomiso2avc1mp41', 16);
  return Buffer.concat([ftyp, crypto.randomBytes(payloadBytes)]);
}

/** An MP3 as phones record it: an ID3 tag, then MPEG audio frames. */
export function mp3Audio(frames = 40): Buffer {
  const id3 = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0]);
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat([id3, ...Array.from({ length: frames }, () => frame)]);
}

export function pdfDocument(pages = 3): Buffer {
  const body = Array.from({ length: pages }, (_, i) => `${i + 1} 0 obj << /Type /Page >> endobj`).join('\n');
  return Buffer.from(`%PDF-1.4\n${body}\n${crypto.randomBytes(2000).toString('hex')}\ntrailer << >>\n%%EOF\n`);
}

/** The demo engine factory, keeping each slot's engine so a test can make contacts send media. */
export function capturingDemoFactory(): { factory: EngineFactory; engines: Map<number, DemoEngine> } {
  const engines = new Map<number, DemoEngine>();
  const demo = createDemoEngineFactory({ scanMs: 100, ackStepMs: 50, replyMs: 100 });
  const factory: EngineFactory = (ctx) => {
    const engine = demo(ctx) as DemoEngine;
    engines.set(ctx.slot, engine);
    return engine;
  };
  return { factory, engines };
}

/** One Ogg page: header, segment table, body (CRC left zero: the reader does not check it). */
export function oggPage(serial: number, granule: bigint, body: Buffer, flags = 0): Buffer {
  const segments: number[] = [];
  let left = body.length;
  while (left >= 255) {
    segments.push(255);
    left -= 255;
  }
  segments.push(left);
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header[5] = flags;
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(serial, 14);
  header[26] = segments.length;
  return Buffer.concat([header, Buffer.from(segments), body]);
}

export function oggOpusHead(preSkip: number): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = 1;
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(16_000, 12); // the input rate is informational; Opus granules are 48 kHz
  return head;
}

export const oggOpusTags = () => Buffer.concat([Buffer.from('OpusTags', 'latin1'), Buffer.alloc(8)]);

/** A voice note of `seconds`, in pages of one second of audio each. */
export function oggOpusNote(seconds: number, preSkip = 312, serial = 0x1234): Buffer {
  const pages = [oggPage(serial, 0n, oggOpusHead(preSkip), 2), oggPage(serial, 0n, oggOpusTags())];
  for (let s = 1; s <= seconds; s++) pages.push(oggPage(serial, BigInt(s * 48_000 + preSkip), Buffer.alloc(300, s), s === seconds ? 4 : 0));
  return Buffer.concat(pages);
}
