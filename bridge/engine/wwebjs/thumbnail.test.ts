import { describe, expect, it } from 'vitest';
import { embeddedThumbnail } from './thumbnail.js';

const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);

describe('embeddedThumbnail', () => {
  it('reads the base64 JPEG a video or image message carries in _data.body', () => {
    expect(embeddedThumbnail({ type: 'video', _data: { body: jpeg.toString('base64') } })).toEqual(jpeg);
    expect(embeddedThumbnail({ type: 'image', _data: { body: jpeg.toString('base64') } })).toEqual(jpeg);
  });

  it('falls back to _data.thumbnail', () => {
    expect(embeddedThumbnail({ type: 'video', _data: { body: 'a caption, not base64!', thumbnail: jpeg.toString('base64') } })).toEqual(jpeg);
  });

  it('ignores other types, captions, non-JPEG bytes and oversized fields', () => {
    expect(embeddedThumbnail({ type: 'document', _data: { body: jpeg.toString('base64') } })).toBeNull();
    expect(embeddedThumbnail({ type: 'ptt', _data: { body: jpeg.toString('base64') } })).toBeNull();
    expect(embeddedThumbnail({ type: 'video', _data: { body: 'Happy birthday' } })).toBeNull();
    expect(embeddedThumbnail({ type: 'video', _data: { body: Buffer.from('%PDF-1.4 not a jpeg').toString('base64') } })).toBeNull();
    expect(embeddedThumbnail({ type: 'video', _data: { body: Buffer.concat([jpeg, Buffer.alloc(600 * 1024)]).toString('base64') } })).toBeNull();
    expect(embeddedThumbnail({ type: 'video', _data: null })).toBeNull();
    expect(embeddedThumbnail({ type: 'video' })).toBeNull();
  });
});
