// Thumbnails for the chat list: a small WebP made once per image (sharp) and kept beside the
// store under thumbs/, named by the image's sha256. Concurrent requests share one render.
// Videos get theirs from the JPEG preview WhatsApp carries with the message (sharp reads no video).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

/** Longest side of a thumbnail, in pixels. */
export const THUMB_SIZE = 320;
export const THUMB_MIME = 'image/webp';

export class Thumbnails {
  private readonly rendering = new Map<string, Promise<string>>();

  constructor(private readonly dir: string) {}

  static canThumb(mimetype: string | null): boolean {
    return !!mimetype && /^image\/(jpeg|png|webp|gif|avif|tiff)$/.test(mimetype);
  }

  /** Whether a thumbnail exists for these bytes (a video's, made from its preview). */
  has(sha256: string): boolean {
    return fs.existsSync(path.join(this.dir, `${sha256}.webp`));
  }

  /** Keep the thumbnail of a stored file (a video) made from the JPEG preview WhatsApp carried. */
  async fromPreview(sha256: string, jpeg: Buffer): Promise<void> {
    if (this.has(sha256)) return;
    await this.get(sha256, jpeg);
  }

  /** The thumbnail file of a stored image, rendering it on first use. */
  get(sha256: string, source: string | Buffer): Promise<string> {
    const file = path.join(this.dir, `${sha256}.webp`);
    if (fs.existsSync(file)) return Promise.resolve(file);
    let job = this.rendering.get(sha256);
    if (!job) {
      job = this.render(source, file).finally(() => this.rendering.delete(sha256));
      this.rendering.set(sha256, job);
    }
    return job;
  }

  private async render(source: string | Buffer, file: string): Promise<string> {
    await fsp.mkdir(this.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    // rotate(): honour EXIF orientation, as phones' photos rely on it.
    await sharp(source, { limitInputPixels: 100_000_000 })
      .rotate()
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toFile(tmp);
    await fsp.rename(tmp, file);
    return file;
  }
}
