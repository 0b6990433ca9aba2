// The small parts of the slots folder: the registry, media checks and QR images (send limits:
// rate-limit.test.ts).
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../domain/index.js';
import { checkMedia, sameType } from './media.js';
import { QR_LIFETIME_SECONDS, renderQr } from './qr.js';
import { SlotRegistry } from './registry.js';
import type { Slot } from './slot.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVQI12P8z8DwnwEJMDGgAcIMAFgUAf9ufZAyAAAAAElFTkSuQmCC';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n').toString('base64');

describe('SlotRegistry', () => {
  const slots = [{ number: 1 }, { number: 2 }] as unknown as Slot[];
  const registry = new SlotRegistry(slots);
  it('finds slots 1..N and refuses anything else with INVALID_SLOT', () => {
    expect(registry.size).toBe(2);
    expect(registry.get(1)).toBe(slots[0]);
    expect(registry.get(2)).toBe(slots[1]);
    for (const bad of [0, 3, -1, 1.5, '1', null, undefined]) {
      expect(() => registry.get(bad)).toThrow(BridgeError);
      expect(() => registry.get(bad)).toThrow('slot must be from 1 to 2');
    }
  });
});

describe('checkMedia', () => {
  it('accepts base64 matching its mimetype, data-URL prefix and whitespace removed', async () => {
    expect(await checkMedia(`data:image/png;base64,${PNG.slice(0, 20)}\n${PNG.slice(20)}`, 'image/PNG; charset=binary')).toEqual({
      base64: PNG,
      mime: 'image/png',
      bytes: Buffer.from(PNG, 'base64').length,
    });
    expect((await checkMedia(PDF, 'application/pdf')).mime).toBe('application/pdf');
    expect((await checkMedia(Buffer.from('plain words').toString('base64'), 'text/plain')).mime).toBe('text/plain');
  });

  it('accepts the names people use for the same format', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]).toString('base64');
    expect((await checkMedia(jpeg, 'image/jpg')).mime).toBe('image/jpg');
    const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>').toString('base64');
    await expect(checkMedia(svg, 'image/svg+xml')).resolves.toMatchObject({ mime: 'image/svg+xml' });
  });

  it('refuses what is not base64, decodes to nothing, or is another format', async () => {
    for (const bad of ['', 'not base64!', 'abcde', '====']) {
      await expect(checkMedia(bad, 'image/png')).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/^base64: /) });
    }
    await expect(checkMedia(PNG, 'application/pdf')).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: 'mimetype: the data is image/png, not application/pdf' });
    await expect(checkMedia(PDF, 'image/jpeg')).rejects.toMatchObject({ message: 'mimetype: the data is application/pdf, not image/jpeg' });
  });
});

describe('sameType', () => {
  it('knows the names people use for each sniffed format, and nothing more', () => {
    const names: [string, string[]][] = [
      ['audio/mpeg', ['audio/mp3', 'audio/mpeg3']],
      ['audio/ogg', ['audio/opus', 'audio/ogg']],
      ['application/ogg', ['audio/ogg', 'audio/opus', 'video/ogg']],
      ['audio/opus', ['audio/ogg']],
      ['video/mp4', ['audio/mp4', 'audio/m4a', 'audio/aac']],
      ['audio/x-m4a', ['audio/mp4', 'audio/m4a', 'video/mp4']],
      ['audio/wav', ['audio/x-wav', 'audio/wave']],
      ['image/jpeg', ['image/jpg']],
      ['application/zip', [
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      ]],
    ];
    for (const [sniffed, declared] of names) {
      expect(sameType(sniffed, sniffed), sniffed).toBe(true);
      for (const d of declared) expect(sameType(sniffed, d), `${sniffed} as ${d}`).toBe(true);
      expect(sameType(sniffed, 'image/png'), `${sniffed} as image/png`).toBe(false);
      expect(sameType(sniffed, ''), `${sniffed} as nothing`).toBe(false);
    }
    expect(sameType('application/xml', 'image/svg+xml')).toBe(true);
    expect(sameType('application/xml', 'text/plain')).toBe(false);
    expect(sameType('image/png', 'image/svg+xml')).toBe(false);
    expect(sameType('image/png', 'image/jpeg')).toBe(false);
  });

  it('reads the declared type without parameters or spaces, and refuses a data URL in the middle', async () => {
    expect((await checkMedia(PNG, '  image/png ; name=x')).mime).toBe('image/png');
    expect((await checkMedia(`${PNG.slice(0, 8)}  \t\n ${PNG.slice(8)}`, 'image/png')).base64).toBe(PNG);
    await expect(checkMedia(`x data:image/png;base64,${PNG}`, 'image/png')).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(checkMedia('AA==', 'application/octet-stream')).resolves.toMatchObject({ bytes: 1 });
  });
});

describe('renderQr', () => {
  it('renders PNG and SVG of the login ref, expiring after the 20 s WhatsApp gives it', async () => {
    expect(QR_LIFETIME_SECONDS).toBe(20);
    const qr = await renderQr('2@abc,def,ghi', 1_700_000_000_500);
    expect(qr.raw).toBe('2@abc,def,ghi');
    expect(qr.png).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(qr.svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(qr.expiresAt).toBe(1_700_000_020);
  });

  it('keeps a real-length login ref as coarse as it can be read: low error correction, 2-module margin, 320 px PNG', async () => {
    // A ref as long as WhatsApp's (~240 chars): version 10 at level L (57 modules), 11 at the default M.
    const ref = `2@${'y7XKqJ3mZ0pQe1rT4uV5wX6yZ7aB8cD9eF0gH1iJ2kL3mN4oP5qR6sT7uV8wX9yZ0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2yZ3aB4cD5eF6gH7iJ8kL9mN0oP1qR2sT3uV4w=='},${'Qm9vZ2xlQ3Jhc2hLZXlzQmFzZTY0RW5jb2RlZA=='},${'ZXhhbXBsZUlkZW50aXR5S2V5QmFzZTY0RW5jb2Q='},aGVsbG93b3JsZA==`;
    const qr = await renderQr(ref, 0);
    expect(qr.svg).toContain('viewBox="0 0 61 61"'); // 57 modules + 2 × 2 margin
    const png = Buffer.from(qr.png.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([320, 320]); // IHDR width × height
  });
});
