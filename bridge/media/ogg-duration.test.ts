import { describe, expect, it } from 'vitest';
import { oggOpusHead as opusHead, oggOpusNote as voiceNote, oggOpusTags as tags, oggPage as page } from '../../test/helpers/media.js';
import { oggOpusDurationMs } from './ogg-duration.js';

describe('oggOpusDurationMs', () => {
  it('reads the length from the last granule position minus the pre-skip', () => {
    expect(oggOpusDurationMs(voiceNote(7))).toBe(7000);
    expect(oggOpusDurationMs(voiceNote(1, 0))).toBe(1000);
    expect(oggOpusDurationMs(voiceNote(63, 3840))).toBe(63_000);
  });

  it('counts partial seconds and ignores pages where no packet ends (granule -1)', () => {
    const serial = 7;
    const bytes = Buffer.concat([
      page(serial, 0n, opusHead(312), 2),
      page(serial, 0n, tags()),
      page(serial, 48_000n + 312n, Buffer.alloc(500)),
      page(serial, 72_000n + 312n, Buffer.alloc(500)),
      page(serial, -1n, Buffer.alloc(500)),
    ]);
    expect(oggOpusDurationMs(bytes)).toBe(1500);
  });

  it('keeps what complete pages said when the file is cut short', () => {
    const whole = voiceNote(5);
    expect(oggOpusDurationMs(whole.subarray(0, whole.length - 100))).toBe(4000);
  });

  it('ignores pages of another stream', () => {
    const bytes = Buffer.concat([voiceNote(3, 312, 1), page(2, 10n * 48_000n, Buffer.alloc(10))]);
    expect(oggOpusDurationMs(bytes)).toBe(3000);
  });

  it('null for what is not Ogg Opus or says nothing', () => {
    expect(oggOpusDurationMs(Buffer.alloc(0))).toBeNull();
    expect(oggOpusDurationMs(Buffer.from('ID3\x03 an mp3 file'))).toBeNull();
    expect(oggOpusDurationMs(page(1, 0n, Buffer.from('\x01vorbis a vorbis header......', 'latin1'), 2))).toBeNull();
    expect(oggOpusDurationMs(Buffer.concat([page(1, 0n, opusHead(312), 2), page(1, 0n, tags())]))).toBeNull(); // no audio page
    expect(oggOpusDurationMs(Buffer.concat([page(1, 0n, opusHead(312), 2), page(1, 100n, Buffer.alloc(10))]))).toBeNull(); // granule below the pre-skip
    expect(oggOpusDurationMs(Buffer.from('OggS'))).toBeNull();
  });
});
