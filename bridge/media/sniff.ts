// The mimetype of stored media comes from the bytes (file-type), so a mislabelled file is
// served as what it is; formats without a signature (text, CSV) keep the declared type.
import { fileTypeFromBuffer } from 'file-type';

const GENERIC = 'application/octet-stream';

export async function mimeOfBytes(data: Buffer, declared: string | null | undefined): Promise<string> {
  const sniffed = await fileTypeFromBuffer(data).catch(() => undefined);
  if (sniffed) return sniffed.mime;
  const plain = declared?.split(';')[0]?.trim().toLowerCase();
  return plain && /^[\w.+-]+\/[\w.+-]+$/.test(plain) ? plain : GENERIC;
}
