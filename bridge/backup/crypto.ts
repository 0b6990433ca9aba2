// The backup file's envelope: a passphrase (scrypt) → AES-256-GCM over a gzipped tar, streamed so
// a large archive never has to fit in memory. The tag is at the end; nothing unpacked is used
// before it has been verified.
//
//   "WABBACK1" | u32 BE header length | header JSON {v, kdf, salt, createdAt} | nonce | ciphertext | tag
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb, type Decipher } from 'node:crypto';
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

const MAGIC = Buffer.from('WABBACK1', 'latin1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KDF = { N: 1 << 15, r: 8, p: 1 };
export const MIN_PASSPHRASE = 8;

export class BackupError extends Error {}

interface Header {
  v: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  createdAt: number;
}

function deriveKey(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return scrypt(passphrase.normalize('NFKC'), salt, 32, { ...params, maxmem: 256 * params.N * params.r });
}

/** Encrypt everything `source` yields into `file`. */
export async function writeEncrypted(file: string, passphrase: string, source: Readable | AsyncIterable<Buffer>): Promise<void> {
  if (passphrase.length < MIN_PASSPHRASE) throw new BackupError(`the passphrase must have at least ${MIN_PASSPHRASE} characters`);
  const salt = randomBytes(16);
  const header: Header = { v: 1, kdf: { name: 'scrypt', ...KDF, salt: salt.toString('base64') }, createdAt: Date.now() };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerBytes.length);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(passphrase, salt, KDF), nonce);
  cipher.setAAD(Buffer.concat([MAGIC, length, headerBytes]));
  const tmp = `${file}.${process.pid}.tmp`;
  const out = fs.createWriteStream(tmp, { mode: 0o600 });
  out.write(Buffer.concat([MAGIC, length, headerBytes, nonce]));
  try {
    await pipeline(source, cipher, out as Writable, { end: false });
    await new Promise<void>((resolve, reject) => out.end(cipher.getAuthTag(), (err?: Error | null) => (err ? reject(err) : resolve())));
    fs.renameSync(tmp, file);
  } catch (err) {
    out.destroy();
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** A decrypting stream of the file's body; it errors at the end when the passphrase or data is wrong. */
export async function readEncrypted(file: string, passphrase: string): Promise<{ stream: Readable; decipher: Decipher; createdAt: number }> {
  const fd = fs.openSync(file, 'r');
  let size: number;
  let header: Header;
  let bodyStart: number;
  let aad: Buffer;
  let nonce: Buffer;
  let tag: Buffer;
  try {
    size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    fs.readSync(fd, head, 0, head.length, 0);
    if (head.length < MAGIC.length + 4 || !head.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupError('not a WA Bridge backup file');
    const headerLength = head.readUInt32BE(MAGIC.length);
    const headerEnd = MAGIC.length + 4 + headerLength;
    if (headerEnd + NONCE_BYTES + TAG_BYTES > size || headerEnd + NONCE_BYTES > head.length) throw new BackupError('the backup file is truncated');
    try {
      header = JSON.parse(head.subarray(MAGIC.length + 4, headerEnd).toString('utf8')) as Header;
    } catch {
      throw new BackupError('the backup file header is damaged');
    }
    if (header.v !== 1 || header.kdf?.name !== 'scrypt') throw new BackupError('this backup file format is not supported');
    aad = head.subarray(0, headerEnd);
    nonce = head.subarray(headerEnd, headerEnd + NONCE_BYTES);
    bodyStart = headerEnd + NONCE_BYTES;
    tag = Buffer.alloc(TAG_BYTES);
    fs.readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    fs.closeSync(fd);
  }
  const { N, r, p, salt } = header.kdf;
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20 || r > 32 || p > 16) throw new BackupError('the backup file has unusable key parameters');
  const decipher = createDecipheriv('aes-256-gcm', await deriveKey(passphrase, Buffer.from(salt, 'base64'), { N, r, p }), nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const body = fs.createReadStream(file, { start: bodyStart, end: size - TAG_BYTES - 1 });
  return { stream: body, decipher, createdAt: header.createdAt };
}
