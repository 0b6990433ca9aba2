// The length of an Ogg Opus file (WhatsApp voice notes) from its bytes, without decoding: the
// last page's granule position counts 48 kHz samples, minus the pre-skip the OpusHead declares
// (RFC 7845). Voice notes the bridge sends carry no duration otherwise.

const OPUS_RATE = 48_000;
const PAGE_HEADER = 27;

/** Milliseconds of audio in an Ogg Opus file, or null when the bytes are not one (or say nothing). */
export function oggOpusDurationMs(bytes: Buffer): number | null {
  let offset = 0;
  let serial: number | null = null;
  let preSkip: number | null = null;
  let lastGranule: bigint | null = null;
  while (offset + PAGE_HEADER <= bytes.length) {
    if (bytes.toString('latin1', offset, offset + 4) !== 'OggS' || bytes[offset + 4] !== 0) break;
    const segments = bytes[offset + 26]!;
    const tableEnd = offset + PAGE_HEADER + segments;
    if (tableEnd > bytes.length) break;
    let bodyLength = 0;
    for (let i = offset + PAGE_HEADER; i < tableEnd; i++) bodyLength += bytes[i]!;
    const bodyEnd = tableEnd + bodyLength;
    if (bodyEnd > bytes.length) break; // a truncated last page: keep what the complete ones said
    const pageSerial = bytes.readUInt32LE(offset + 14);
    if (serial === null) {
      // The first page opens the stream with the OpusHead packet.
      if (bytes.toString('latin1', tableEnd, tableEnd + 8) !== 'OpusHead' || bodyLength < 19) return null;
      serial = pageSerial;
      preSkip = bytes.readUInt16LE(tableEnd + 10);
    } else if (pageSerial === serial) {
      const granule = bytes.readBigInt64LE(offset + 6);
      // -1: no packet ends on this page.
      if (granule >= 0n) lastGranule = granule;
    }
    offset = bodyEnd;
  }
  if (preSkip === null || lastGranule === null) return null;
  const samples = lastGranule - BigInt(preSkip);
  if (samples <= 0n) return null;
  return Math.round(Number((samples * 1000n) / BigInt(OPUS_RATE)));
}
