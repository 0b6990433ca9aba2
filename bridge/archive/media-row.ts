// The `media` table as both backends read and write it: one row per message with media.
import type { MediaRecord, MediaStatus } from '../domain/index.js';

export interface MediaDbRow {
  message_id: string;
  status: string;
  sha256: string | null;
  mimetype: string | null;
  filename: string | null;
  size: number | string | null;
  duration_ms: number | string | null;
  updated_at: number | string;
}

export const MEDIA_COLUMNS = 'message_id, status, sha256, mimetype, filename, size, duration_ms, updated_at';

const STATUSES: readonly MediaStatus[] = ['stored', 'expired', 'failed'];
const optText = (v: unknown, max: number): string | null => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null);
const optCount = (v: unknown): number | null => {
  const n = Number(v);
  return v !== null && v !== undefined && Number.isFinite(n) && n >= 0 ? Math.trunc(n) : null;
};

/** The values to insert, in MEDIA_COLUMNS order after (slot); defensive, as the archive is for ops. */
export function mediaValues(m: MediaRecord): unknown[] {
  const status = STATUSES.includes(m.status) ? m.status : 'failed';
  const sha = typeof m.sha256 === 'string' && /^[0-9a-f]{64}$/.test(m.sha256) ? m.sha256 : null;
  return [
    String(m.messageId),
    status,
    sha,
    optText(m.mimetype, 255),
    optText(m.filename, 1024),
    optCount(m.size),
    optCount(m.durationMs),
    optCount(m.updatedAt) ?? Math.floor(Date.now() / 1000),
  ];
}

// MySQL hands BIGINT columns back as strings; Number() reads both backends alike.
export function mediaFromRow(r: MediaDbRow): MediaRecord {
  return {
    messageId: r.message_id,
    status: (STATUSES as readonly string[]).includes(r.status) ? (r.status as MediaStatus) : 'failed',
    sha256: r.sha256,
    mimetype: r.mimetype,
    filename: r.filename,
    size: optCount(r.size),
    durationMs: optCount(r.duration_ms),
    updatedAt: Number(r.updated_at),
  };
}
