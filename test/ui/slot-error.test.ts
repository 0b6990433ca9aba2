// Issue 16: a slot's last error reads in the owner's language (the Arabic app showed English).
import { describe, expect, it } from 'vitest';
import { explainSlotError } from '../../renderer/src/lib/slot-error.js';
import { translator } from '../../renderer/src/i18n/i18n.js';
import { en } from '../../renderer/src/i18n/en.js';
import { ar } from '../../renderer/src/i18n/ar.js';

const tAr = translator('ar');
const tEn = translator('en');
// The shapes bridge/slots/slot.ts and the snapshot restore write.
const KNOWN = [
  'QR not scanned after 6 codes; connect again for a new QR',
  'disconnected: LOGOUT',
  'disconnected: CONFLICT',
  'disconnected: UNPAIRED_IDLE',
  'browser memory 1600 MB over the 1500 MB limit',
];

describe('slot errors', () => {
  it('translates every known shape into Arabic with no English left', () => {
    for (const raw of KNOWN) {
      const r = explainSlotError(raw, tAr);
      // "QR" is the one Latin word the Arabic app uses too.
      expect(r.text.replace(/QR/g, ''), raw).not.toMatch(/[A-Za-z]/);
      expect(r.detail, raw).toBeNull();
    }
    expect(explainSlotError('disconnected: LOGOUT', tAr).text).toContain(ar.reasonLOGOUT);
    expect(explainSlotError('QR not scanned after 6 codes; connect again for a new QR', tEn).text).toBe(en.slotErrQrNotScanned.replace('{n}', '6'));
    expect(explainSlotError('browser memory 1600 MB over the 1500 MB limit', tEn).text).toContain('1600 MB');
  });

  it('keeps the bridge words as a detail for what it cannot name', () => {
    const hung = explainSlotError('no answer to getState within 30000 ms (hung page)', tAr);
    expect(hung.text).toBe(ar.slotErrHung);
    expect(hung.detail).toContain('30000 ms');
    const restore = explainSlotError('restore failed: the snapshot belongs to another account', tAr);
    expect(restore).toEqual({ text: ar.slotErrRestore, detail: 'the snapshot belongs to another account' });
    expect(explainSlotError('disconnected: SOMETHING_NEW', tAr).text).toBe(ar.slotErrDisconnected.replace('{reason}', 'SOMETHING_NEW'));
    expect(explainSlotError('Protocol error: Target closed', tAr)).toEqual({ text: ar.slotErrOther, detail: 'Protocol error: Target closed' });
  });
});
