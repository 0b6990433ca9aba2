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
