// The encrypted snapshot file: AES-256-GCM over the packed profile, with a JSON header that is
// authenticated (GCM additional data) but readable without the key, so a store can list and a
// reader can tell "wrong key" from "damaged" before decrypting.
//
//   "WABSNAP1" | u32 BE header length | header JSON | 12-byte nonce | 16-byte tag | ciphertext
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SnapshotError } from './errors.js';
import { keyId } from './key.js';
import type { SnapshotReason } from './types.js';

export const FORMAT_VERSION = 1;
const MAGIC = Buffer.from('WABSNAP1', 'latin1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** A header is a few hundred bytes; anything far larger is not ours. */
const MAX_HEADER_BYTES = 16 * 1024;

const headerSchema = z.object({
  v: z.literal(FORMAT_VERSION),
  slot: z.number().int().min(1),
  wid: z.string().min(1).max(128),
  createdAt: z.number().int().nonnegative(),
  reason: z.enum(['first', 'interval', 'stop', 'manual', 'backup']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  plainBytes: z.number().int().nonnegative(),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
});

export type SnapshotHeader = z.infer<typeof headerSchema>;

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sealSnapshot(
  key: Buffer,
  archive: Buffer,
  info: { slot: number; wid: string; createdAt: number; reason: SnapshotReason },
): { blob: Buffer; header: SnapshotHeader } {
  const header: SnapshotHeader = {
    v: FORMAT_VERSION,
    slot: info.slot,
    wid: info.wid,
    createdAt: info.createdAt,
    reason: info.reason,
    sha256: sha256Hex(archive),
    plainBytes: archive.length,
    keyId: keyId(key),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerBytes.length);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.concat([MAGIC, length, headerBytes]));
  const body = Buffer.concat([cipher.update(archive), cipher.final()]);
  return { blob: Buffer.concat([MAGIC, length, headerBytes, nonce, cipher.getAuthTag(), body]), header };
}

/** The header, unauthenticated (for listing); throws CORRUPT when the blob is not a snapshot. */
export function readHeader(blob: Buffer): { header: SnapshotHeader; headerEnd: number } {
  if (blob.length < MAGIC.length + 4 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SnapshotError('CORRUPT', 'not a WA Bridge snapshot (bad magic)');
  }
  const length = blob.readUInt32BE(MAGIC.length);
  const headerEnd = MAGIC.length + 4 + length;
  if (length > MAX_HEADER_BYTES || headerEnd + NONCE_BYTES + TAG_BYTES > blob.length) {
    throw new SnapshotError('CORRUPT', 'snapshot header is truncated or oversized');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(blob.subarray(MAGIC.length + 4, headerEnd).toString('utf8'));
  } catch {
    throw new SnapshotError('CORRUPT', 'snapshot header is not valid JSON');
  }
  const result = headerSchema.safeParse(parsed);
  if (!result.success) {
    const version = (parsed as { v?: unknown } | null)?.v;
    if (typeof version === 'number' && version !== FORMAT_VERSION) throw new SnapshotError('CORRUPT', `snapshot format version ${version} is not supported`);
    throw new SnapshotError('CORRUPT', 'snapshot header is malformed');
  }
  return { header: result.data, headerEnd };
}

/** Decrypt and verify; the archive is returned only when key, tag and sha256 all check out. */
export function openSnapshot(key: Buffer, blob: Buffer): { archive: Buffer; header: SnapshotHeader } {
  const { header, headerEnd } = readHeader(blob);
  if (header.keyId !== keyId(key)) {
    throw new SnapshotError('WRONG_KEY', 'snapshot was made with another session key (WA_BRIDGE_SESSION_KEY)');
  }
  const nonce = blob.subarray(headerEnd, headerEnd + NONCE_BYTES);
  const tag = blob.subarray(headerEnd + NONCE_BYTES, headerEnd + NONCE_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(blob.subarray(0, headerEnd));
  decipher.setAuthTag(tag);
  let archive: Buffer;
  try {
    archive = Buffer.concat([decipher.update(blob.subarray(headerEnd + NONCE_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new SnapshotError('CORRUPT', 'snapshot failed authentication (damaged or tampered with)', { cause: err });
  }
  if (archive.length !== header.plainBytes || sha256Hex(archive) !== header.sha256) {
    throw new SnapshotError('CORRUPT', 'snapshot archive does not match its sha256');
  }
  return { archive, header };
}
