// Media in a chat of the admin app, in English and Arabic: a photo inline (from its thumbnail)
// that opens full size, a voice note that plays with its duration, a PDF that downloads by name.
// The production build served by a demo bridge whose contact sends real files; Debian's Chromium.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridge } from '../../bridge/bridge.js';
import { loadConfig } from '../../bridge/config.js';
import type { DemoEngine } from '../../bridge/engine/demo/index.js';
import type { Bridge, BridgeEvent } from '../../bridge/types.js';
import { ar } from '../../renderer/src/i18n/ar.js';
import { en } from '../../renderer/src/i18n/en.js';
import { waitFor } from '../helpers/bridge.js';
import { capturingDemoFactory, jpegPhoto, oggOpusVoice, pdfDocument } from '../helpers/media.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RENDERER = path.join(root, 'dist', 'renderer');
const SHOTS = path.join(root, 'test', 'screenshots');
const OMAR = '962781523783@c.us';

let dataDir: string;
let bridge: Bridge;
let browser: Browser;
let engine: DemoEngine;
const events: BridgeEvent[] = [];

async function receive(media: Parameters<DemoEngine['receiveMedia']>[1]): Promise<string> {
  const m = engine.receiveMedia(OMAR, media);
  await waitFor(() => events.find((e) => e.type === 'message_media' && e.messageId === m.id), 10_000, 'media stored');
  return m.id;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(RENDERER, 'index.html'))) throw new Error('dist/renderer is not built: run `npm run test:ui` (it builds first) or `npx vite build`');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-bridge-ui-media-'));
  const { factory, engines } = capturingDemoFactory();
  bridge = createBridge(loadConfig({}, { port: 0, host: '127.0.0.1', dataDir, engine: 'demo', slots: 1, logLevel: 'silent' }), {
    rendererDir: RENDERER,
    engineFactory: factory,
    logDestination: { write: () => undefined } as never,
  });
  await bridge.start();
  bridge.onEvent((e) => events.push(e));
  await fetch(`${bridge.url}/api/connect`, { method: 'POST', headers: { apikey: bridge.adminToken, 'content-type': 'application/json' }, body: '{"slot":1}' });
  await waitFor(() => events.find((e) => e.type === 'status' && e.ready), 10_000, 'slot ready');
  engine = engines.get(1)!;
  await receive({ data: await jpegPhoto(900, 600), mimetype: 'image/jpeg', caption: 'shop front' });
  await receive({ data: oggOpusVoice(), mimetype: 'audio/ogg; codecs=opus', type: 'ptt', durationMs: 7000 });
  await receive({ data: pdfDocument(), mimetype: 'application/pdf', filename: 'Invoice-2031.pdf' });
  browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'], headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function openChat(lang: 'en' | 'ar'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.addInitScript({
    content: `sessionStorage.setItem('waBridge.adminToken', ${JSON.stringify(bridge.adminToken)}); localStorage.setItem('waBridge.lang', ${JSON.stringify(lang)});`,
  });
  await page.goto(bridge.url);
  await page.click('[data-testid=nav-chats]');
  await page.click(`[data-testid=chat-item][data-chat-id="${OMAR}"]`);
  return page;
}

describe.each([
  ['en', en],
  ['ar', ar],
] as const)('media bubbles (%s)', (lang, strings) => {
  it('shows the photo, plays the voice note with its duration, downloads the PDF', async () => {
    const page = await openChat(lang);
    try {
      const photo = page.locator('[data-testid=message][data-type=image] img[data-testid=media-thumb]');
      await expect.poll(() => photo.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBe(320);
      await photo.click();
      const viewer = page.locator('[data-testid=media-viewer] img');
      await expect.poll(() => viewer.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBe(900);
      await page.keyboard.press('Escape');

      const voice = page.locator('[data-testid=message][data-type=ptt]');
      const audio = voice.locator('audio[data-testid=media-audio]');
      await expect.poll(() => audio.getAttribute('src')).toMatch(/^blob:/);
      expect(await voice.locator('[data-testid=media-duration]').textContent()).toBe('0:07');

      const doc = page.locator('[data-testid=message][data-type=document] [data-testid=media-chip]');
      expect(await doc.textContent()).toContain('Invoice-2031.pdf');
      const [download] = await Promise.all([page.waitForEvent('download'), doc.click()]);
      expect(download.suggestedFilename()).toBe('Invoice-2031.pdf');
      expect(await page.locator('[data-testid=media-tile]', { hasText: strings.mediaNotLoaded }).count()).toBe(0);
      // Tracked images change only through `npm run screenshots`.
      if (process.env.SCREENSHOTS === '1') await page.screenshot({ path: path.join(SHOTS, `${lang}-chat-media.png`) });
    } finally {
      await page.context().close();
    }
  });
});

describe('sending from the admin app', () => {
  it('takes a dropped picture and a pasted PDF, previews them, and sends them as uploads', async () => {
    const page = await openChat('en');
    try {
      const png = (await jpegPhoto(200, 120)).toString('base64');
      // A drop on the composer, as a file dragged from the desktop.
      await page.evaluate(`(() => {
        const bytes = Uint8Array.from(atob(${JSON.stringify(png)}), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'dropped.jpg', { type: 'image/jpeg' }));
        document.querySelector('[data-testid=composer]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      })()`);
      const preview = page.locator('[data-testid=attachment] img[data-testid=attach-preview]');
      await expect.poll(() => preview.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBe(200);
      await page.fill('[data-testid=compose]', 'dropped in');
      await page.click('[data-testid=send]');
      const sentImage = page.locator('[data-testid=message][data-from-me="1"]', { hasText: 'dropped in' });
      await expect.poll(async () => (await sentImage.getAttribute('data-message-id')) ?? '').toMatch(/^true_/);
      const id = (await sentImage.getAttribute('data-message-id'))!;
      await waitFor(() => events.find((e) => e.type === 'message_media' && e.messageId === id), 10_000, 'sent picture stored');

      // A paste into the text box: the file, not its name as text.
      await page.evaluate(`(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['%PDF-1.4\\n%%EOF\\n'], 'pasted.pdf', { type: 'application/pdf' }));
        document.querySelector('[data-testid=compose]').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      })()`);
      expect(await page.locator('[data-testid=attachment]').textContent()).toContain('pasted.pdf');
      expect(await page.inputValue('[data-testid=compose]')).toBe('');
    } finally {
      await page.context().close();
    }
  });
});
