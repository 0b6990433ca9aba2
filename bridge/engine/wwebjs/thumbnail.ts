// The preview WhatsApp Web already holds for an image or video message: a small base64 JPEG in
// the raw message data (`_data.body` for media messages; some builds also set `thumbnail`).
// Using it gives received videos a thumbnail without decoding video (sharp reads images only).

/** Bounds for a preview: anything larger is not WhatsApp's inline thumbnail. */
const MAX_PREVIEW_BYTES = 512 * 1024;

interface RawPreview {
  type?: string;
  _data?: { body?: unknown; thumbnail?: unknown } | null;
}

const isJpeg = (b: Buffer) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** The JPEG preview of an image or video message, or null when it carries none. */
export function embeddedThumbnail(msg: RawPreview): Buffer | null {
  if (msg.type !== 'video' && msg.type !== 'image' && msg.type !== 'gif') return null;
  for (const field of [msg._data?.body, msg._data?.thumbnail]) {
    if (typeof field !== 'string' || field.length < 8 || field.length > (MAX_PREVIEW_BYTES * 4) / 3 + 4) continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(field)) continue;
    const bytes = Buffer.from(field, 'base64');
    if (isJpeg(bytes)) return bytes;
  }
  return null;
}
