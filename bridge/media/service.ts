// Keeps the media the bridge sees: every message with media is fetched from WhatsApp in the
// background (a small queue, off the event path) into the media store, and its record goes to
// the archive. The download route and the rows' `media` objects read from here.
import type { Logger } from 'pino';
import type { ArchiveStore } from '../archive/types.js';
import type { ArchivedMessage, MediaInfo, MediaRecord, MessageRow } from '../domain/index.js';
import type { WhatsAppEngine } from '../engine/types.js';
import { oggOpusDurationMs } from './ogg-duration.js';
import { mimeOfBytes } from './sniff.js';
import type { MediaStore } from './store.js';
import { Thumbnails } from './thumbs.js';

/** Downloads running at once across all slots (each holds a file in memory while it lands). */
const DEFAULT_CONCURRENCY = 2;
/** Records kept in memory: the archive batches its writes, so a fresh record may not be readable there yet. */
const RECENT_RECORDS = 2000;

export interface MediaHints {
  chatId?: string | null;
  mimetype?: string | null;
  filename?: string | null;
  durationMs?: number | null;
}

export interface MediaServiceOptions {
  store: MediaStore;
  thumbs: Thumbnails;
  archive: ArchiveStore;
  /** The slot's engine when it is ready, else null. */
  engineFor(slot: number): WhatsAppEngine | null;
  logger: Logger;
  concurrency?: number;
  /** Told when a message's media is stored or found expired (the WebSocket event). */
  onRecord?(slot: number, record: MediaRecord, chatId: string | null): void;
}

export class MediaNotConnectedError extends Error {}

export const mediaUrl = (slot: number, messageId: string) => `/api/slots/${slot}/messages/${encodeURIComponent(messageId)}/media`;

const key = (slot: number, id: string) => `${slot}\n${id}`;
const baseType = (mimetype: string | null | undefined) => mimetype?.split(';')[0]?.trim() ?? null;
const nowSeconds = () => Math.floor(Date.now() / 1000);

export class MediaService {
  private readonly recent = new Map<string, MediaRecord>();
  private readonly jobs = new Map<string, Promise<MediaRecord | null>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private closed = false;

  constructor(private readonly opts: MediaServiceOptions) {}

  get store(): MediaStore {
    return this.opts.store;
  }

  get thumbs(): Thumbnails {
    return this.opts.thumbs;
  }

  /** A message arrived or was sent from the phone: fetch its media in the background. */
  onMessage(slot: number, message: ArchivedMessage): void {
    if (!message.hasMedia || this.recent.get(key(slot, message.id))?.status === 'stored') return;
    const hints = { chatId: message.chatId, mimetype: message.mimetype, filename: message.filename, durationMs: message.durationMs };
    this.fetch(slot, message.id, hints).catch((err) => this.opts.logger.warn({ err: (err as Error).message, slot }, 'media: download failed'));
  }

  /** The bridge sent these bytes itself: keep them without asking WhatsApp (decoded off the event path). */
  onSent(slot: number, messageId: string, base64: string, hints: MediaHints): void {
    this.start(slot, messageId, () => this.keep(slot, messageId, Buffer.from(base64, 'base64'), hints)).catch((err) =>
      this.opts.logger.warn({ err: (err as Error).message, slot }, 'media: storing a sent file failed'),
    );
  }

  /** Fetch a message's media (or join the fetch already running). Null: WhatsApp no longer serves it. */
  fetch(slot: number, messageId: string, hints: MediaHints = {}): Promise<MediaRecord | null> {
    return this.start(slot, messageId, () => this.download(slot, messageId, hints));
  }

  isFetching(slot: number, messageId: string): boolean {
    return this.jobs.has(key(slot, messageId));
  }

  async lookup(slot: number, messageId: string): Promise<MediaRecord | null> {
    const cached = this.recent.get(key(slot, messageId));
    if (cached) return cached;
    const [record] = await this.opts.archive.getMedia(slot, [messageId]);
    return record ?? null;
  }

  /** Rows as the API shows them: those with media gain a `media` object. */
  async describe<T extends MessageRow & { mimetype?: string | null; filename?: string | null }>(
    slot: number,
    rows: T[],
  ): Promise<(T & { media?: MediaInfo })[]> {
    const withMedia = rows.filter((r) => r.hasMedia);
    if (withMedia.length === 0) return rows;
    const missing = withMedia.filter((r) => !this.recent.has(key(slot, r.id))).map((r) => r.id);
    const fromArchive = new Map<string, MediaRecord>();
    for (let i = 0; i < missing.length; i += 500) {
      for (const r of await this.opts.archive.getMedia(slot, missing.slice(i, i + 500))) fromArchive.set(r.messageId, r);
    }
    return rows.map((row) => {
      if (!row.hasMedia) return row;
      const record = this.recent.get(key(slot, row.id)) ?? fromArchive.get(row.id) ?? null;
      return { ...row, media: this.info(slot, row.id, record, row) };
    });
  }

  /** The `media` object of one message (new_message events use it before anything is stored). */
  info(slot: number, messageId: string, record: MediaRecord | null, fallback: MediaHints = {}): MediaInfo {
    const mimetype = record?.mimetype ?? fallback.mimetype ?? null;
    const status = record?.status === 'stored' ? 'stored' : record?.status === 'expired' ? 'expired' : 'pending';
    const url = mediaUrl(slot, messageId);
    const info: MediaInfo = { mimetype, filename: record?.filename ?? fallback.filename ?? null, size: record?.size ?? null, status, url };
    const durationMs = record?.durationMs ?? fallback.durationMs;
    if (durationMs) info.durationMs = durationMs;
    const thumbed = Thumbnails.canThumb(baseType(mimetype)) || (!!record?.sha256 && this.opts.thumbs.has(record.sha256));
    if (status !== 'expired' && thumbed) info.thumbUrl = `${url}?thumb=1`;
    return info;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting.splice(0).forEach((wake) => wake());
    await Promise.allSettled([...this.jobs.values()]);
  }

  // ---- the queue ------------------------------------------------------------------------------

  private start(slot: number, messageId: string, work: () => Promise<MediaRecord | null>): Promise<MediaRecord | null> {
    const k = key(slot, messageId);
    const running = this.jobs.get(k);
    if (running) return running;
    const job = this.slot()
      .then(() => (this.closed ? Promise.reject(new Error('media: bridge stopping')) : work()))
      .finally(() => {
        this.running--;
        this.waiting.shift()?.();
        this.jobs.delete(k);
      });
    this.jobs.set(k, job);
    return job;
  }

  private slot(): Promise<void> {
    if (this.running < (this.opts.concurrency ?? DEFAULT_CONCURRENCY)) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.running++;
        resolve();
      }),
    );
  }

  private async download(slot: number, messageId: string, hints: MediaHints): Promise<MediaRecord | null> {
    const engine = this.opts.engineFor(slot);
    if (!engine) throw new MediaNotConnectedError(`slot ${slot} is not connected`);
    let got;
    try {
      got = await engine.downloadMedia(messageId);
    } catch (err) {
      this.save(slot, this.blank(messageId, 'failed', hints), hints);
      throw err;
    }
    if (!got) {
      this.save(slot, this.blank(messageId, 'expired', hints), hints);
      return null;
    }
    return this.keep(slot, messageId, got.data, { ...hints, mimetype: got.mimetype ?? hints.mimetype, filename: got.filename ?? hints.filename }, got.thumbnail);
  }

  private async keep(slot: number, messageId: string, data: Buffer, hints: MediaHints, preview?: Buffer | null): Promise<MediaRecord> {
    const mimetype = await mimeOfBytes(data, hints.mimetype);
    // Voice notes the bridge sends (and some received ones) come without a length: read it.
    if (!hints.durationMs && baseType(mimetype) === 'audio/ogg') hints = { ...hints, durationMs: oggOpusDurationMs(data) };
    const { sha256, size } = await this.opts.store.put(data);
    // A video's thumbnail comes from WhatsApp's preview (images are thumbnailed from their bytes);
    // made before the record is announced, so the event already carries its thumbUrl.
    if (preview && !Thumbnails.canThumb(baseType(mimetype))) {
      await this.opts.thumbs.fromPreview(sha256, preview).catch((err) =>
        this.opts.logger.warn({ err: (err as Error).message, slot }, 'media: the preview WhatsApp sent could not be read'),
      );
    }
    return this.save(slot, { ...this.blank(messageId, 'stored', hints), sha256, size, mimetype }, hints);
  }

  private blank(messageId: string, status: MediaRecord['status'], hints: MediaHints): MediaRecord {
    return {
      messageId,
      status,
      sha256: null,
      mimetype: hints.mimetype ?? null,
      filename: hints.filename ?? null,
      size: null,
      durationMs: hints.durationMs ?? null,
      updatedAt: nowSeconds(),
    };
  }

  private save(slot: number, record: MediaRecord, hints: MediaHints): MediaRecord {
    this.opts.archive.saveMedia(slot, record);
    const k = key(slot, record.messageId);
    this.recent.delete(k);
    this.recent.set(k, record);
    if (this.recent.size > RECENT_RECORDS) this.recent.delete(this.recent.keys().next().value!);
    if (record.status !== 'failed') this.opts.onRecord?.(slot, record, hints.chatId ?? null);
    return record;
  }
}
