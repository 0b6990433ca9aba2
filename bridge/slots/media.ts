// Checks a media upload before it reaches WhatsApp: real base64, and bytes that match the
// declared mimetype (sniffed with file-type), so a mislabelled file is a 400, not a broken send.
import { fileTypeFromBuffer, supportedMimeTypes } from 'file-type';
import { BridgeError } from '../domain/index.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URL_PREFIX = /^data:[^;,]+;base64,/;

/** Formats that file-type names differently from the mimetypes people send. */
const EQUIVALENT: Record<string, string[]> = {
  'audio/mpeg': ['audio/mp3', 'audio/mpeg3'],
  'audio/ogg': ['audio/opus', 'audio/ogg'],
  'application/ogg': ['audio/ogg', 'audio/opus', 'video/ogg'],
  'audio/opus': ['audio/ogg'],
  'video/mp4': ['audio/mp4', 'audio/m4a', 'audio/aac'],
  'audio/x-m4a': ['audio/mp4', 'audio/m4a', 'video/mp4'],
  'audio/wav': ['audio/x-wav', 'audio/wave'],
  'image/jpeg': ['image/jpg'],
  // Office documents are zip files underneath.
  'application/zip': ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
};

export interface CheckedMedia {
  /** Clean base64 (any data-URL prefix and whitespace removed). */
  base64: string;
  /** The declared type without parameters, lower case. */
  mime: string;
  bytes: number;
}

export async function checkMedia(base64Input: string, mimetype: string): Promise<CheckedMedia> {
  const base64 = base64Input.replace(DATA_URL_PREFIX, '').replace(/\s+/g, '');
  if (!base64 || base64.length % 4 === 1 || !BASE64.test(base64)) {
    throw new BridgeError('VALIDATION_ERROR', 'base64: not valid base64 data');
  }
  const buffer = Buffer.from(base64, 'base64');
  if (buffer.length === 0) throw new BridgeError('VALIDATION_ERROR', 'base64: decodes to no bytes');
  const mime = mimetype.split(';')[0]!.trim().toLowerCase();
  const sniffed = await fileTypeFromBuffer(buffer);
  // file-type may add parameters (Opus in Ogg is `audio/ogg; codecs=opus`): compare the bare types.
  const sniffedMime = sniffed?.mime.split(';')[0]!.trim();
  if (sniffedMime && !sameType(sniffedMime, mime)) {
    throw new BridgeError('VALIDATION_ERROR', `mimetype: the data is ${sniffedMime}, not ${mime}`);
  }
  // A format with a signature must carry it: text or HTML labelled image/png is refused.
  if (!sniffed && hasSignature(mime)) {
    throw new BridgeError('VALIDATION_ERROR', `mimetype: the data is not ${mime} (its bytes do not start like one)`);
  }
  return { base64, mime, bytes: buffer.length };
}

/** Types file-type recognises by their bytes (directly or through an equivalent name). */
function hasSignature(declared: string): boolean {
  // Text formats (vCard, calendar, XML…) are too loose to insist on.
  if (declared.startsWith('text/') || declared.includes('xml')) return false;
  if (supportedMimeTypes.has(declared as never)) return true;
  return Object.entries(EQUIVALENT).some(([sniffable, names]) => names.includes(declared) && supportedMimeTypes.has(sniffable as never));
}

export function sameType(sniffed: string, declared: string): boolean {
  if (sniffed === declared) return true;
  if (EQUIVALENT[sniffed]?.includes(declared)) return true;
  // Text-like formats (e.g. an SVG sniffed as XML) are left to the declared type.
  return sniffed === 'application/xml' && declared.includes('xml');
}

const MiB = 1024 * 1024;

/** What WhatsApp accepts per kind of media (its own limits; documents capped lower than its 2 GB, as the bytes pass through memory). */
export const MEDIA_LIMITS = {
  image: 16 * MiB,
  voice: 16 * MiB,
  audio: 64 * MiB,
  video: 64 * MiB,
  document: 100 * MiB,
} as const;

export function mediaKind(mime: string, asVoice: boolean): keyof typeof MEDIA_LIMITS {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('audio/')) return asVoice ? 'voice' : 'audio';
  if (mime.startsWith('video/')) return 'video';
  return 'document';
}

/** 413 with the kind's limit, so a phone can tell its user what to shrink. */
export function checkMediaSize(mime: string, bytes: number, asVoice: boolean): void {
  const kind = mediaKind(mime, asVoice);
  const limit = MEDIA_LIMITS[kind];
  if (bytes > limit) {
    const mb = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
    throw new BridgeError('PAYLOAD_TOO_LARGE', `the ${kind === 'voice' ? 'voice note' : kind} is ${mb(bytes)}; WhatsApp takes at most ${mb(limit)}`);
  }
}

/**
 * Audio goes as a voice note when it is one: Opus in Ogg (what WhatsApp records), or a file the
 * phone named as one (the seed sends `audio/mp3` as `voice_note.mp3`).
 */
export function looksLikeVoiceNote(sniffedMime: string, declared: string, filename: string | undefined): boolean {
  if (!sniffedMime.startsWith('audio/') && !declared.toLowerCase().startsWith('audio/')) return false;
  if (/codecs=opus/i.test(declared) || /codecs=opus/i.test(sniffedMime)) return true;
  return /^(voice|ptt)[\w-]*\.\w+$/i.test(filename ?? '');
}
