// Issue 16: QR cards never push the other numbers below the fold. "Below the fold" made precise:
// at 1366×768 and 1024×640, with QR codes showing in both rows, every slot card's header (name
// and state) and the first line of its number block lie inside the window without scrolling; a
// QR card grows at most to 1.8× a stopped card (it stays in its grid row); and "Expires in … s"
// is one line — in English and Arabic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi, type UiKit } from './kit.js';

let kit: UiKit;

beforeAll(async () => {
  // The demo accounts "scan" after 60 s: the QR codes stay up for the whole test.
  kit = await startUi({ slots: 6, demoScanMs: 60_000 });
  await kit.api('POST', '/api/connect', { slot: 2 });
  await kit.api('POST', '/api/connect', { slot: 5 });
});

afterAll(async () => {
  await kit?.close();
});

interface CardBox {
  slot: string;
  state: string;
  headBottom: number;
  accountTop: number;
  height: number;
  countdownLines: number;
}

// A string body: this file is type-checked without the DOM library.
const MEASURE = `(() => [...document.querySelectorAll('[data-testid=slot-card]')].map((c) => {
  const lines = (el) => { if (!el) return 0; const r = document.createRange(); r.selectNodeContents(el); return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; };
  return {
    slot: c.dataset.slot, state: c.dataset.state,
    headBottom: c.querySelector('.slot-head').getBoundingClientRect().bottom,
    accountTop: c.querySelector('.slot-account').getBoundingClientRect().top,
    height: c.getBoundingClientRect().height,
    countdownLines: lines(c.querySelector('[data-testid=qr-countdown]')),
  };
}))()`;

describe('QR cards', () => {
  for (const lang of ['en', 'ar'] as const) {
    for (const size of [{ width: 1366, height: 768 }, { width: 1024, height: 640 }]) {
      it(`keep all six numbers above the fold at ${size.width}×${size.height} (${lang})`, async () => {
        const page = await kit.page({ lang });
        await page.setViewportSize(size);
        await page.goto(`${kit.bridge.url}/#/slots`);
        for (const slot of [2, 5]) await page.locator(`[data-testid=slot-card][data-slot="${slot}"] [data-testid=qr-countdown]`).waitFor({ timeout: 20_000 });
        await page.locator('[data-testid=slot-card][data-slot="5"] [data-testid=slot-qr] img').waitFor();
        const cards = (await page.evaluate(MEASURE)) as CardBox[];
        expect(cards).toHaveLength(6);
        expect(Number(await page.evaluate('window.scrollY'))).toBe(0);
        const stopped = cards.find((c) => c.state === 'STOPPED')!;
        for (const c of cards) {
          expect(c.headBottom, `slot ${c.slot} header`).toBeLessThanOrEqual(size.height);
          // The first line of the number block ("Not linked yet" or the phone) is readable.
          expect(c.accountTop + 20, `slot ${c.slot} number`).toBeLessThanOrEqual(size.height);
          if (c.state === 'QR') {
            expect(c.height, `slot ${c.slot} QR card height`).toBeLessThanOrEqual(stopped.height * 1.8);
            expect(c.countdownLines, `slot ${c.slot} countdown`).toBe(1);
          }
        }
        expect(cards.filter((c) => c.state === 'QR').map((c) => c.slot)).toEqual(['2', '5']);
        await page.close();
      });
    }
  }
});
