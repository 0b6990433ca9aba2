// Issue 16: the admin app through a working day — order, outages, one inbox. Each case failed on
// the app before the fix it names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSecond, startUi, type UiKit } from './kit.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVQI12P8z8DwnwEJMDGgAcIMAFgUAf9ufZAyAAAAAElFTkSuQmCC';
const PDF = Buffer.from('%PDF-1.4\n% burst\n').toString('base64');

let kit: UiKit;

beforeAll(async () => {
  kit = await startUi({ slots: 3 });
  await kit.connect(1);
});

afterAll(async () => {
  await kit?.close();
});

describe('order', () => {
  it('shows a burst sent within one second in the order it was sent (text → photo → PDF → poll)', async () => {
    const chatId = '15550300001@c.us';
    await freshSecond();
    const send = async (route: string, body: Record<string, unknown>) =>
      (await kit.api<{ messageId: string }>('POST', route, { slot: 1, chatId, ...body })).messageId;
    const sent = [
      await send('/api/send', { message: 'burst text' }),
      await send('/api/send-media', { base64: PNG, mimetype: 'image/png', filename: 'shelf.png', caption: 'burst photo' }),
      await send('/api/send-media', { base64: PDF, mimetype: 'application/pdf', filename: 'burst.pdf' }),
      await send('/api/send-poll', { question: 'burst poll', options: ['Yes', 'No'] }),
    ];
    const page = await kit.page();
    await page.goto(`${kit.bridge.url}/#/chats?slot=1&chat=${encodeURIComponent(chatId)}`);
    await page.locator(`[data-testid=thread][data-chat-id="${chatId}"]`).waitFor();
    const shown = async () =>
      (await page.locator('[data-testid=message]').evaluateAll((els) => els.map((e) => e.getAttribute('data-message-id')))).filter((id) => sent.includes(id!));
    await expect.poll(async () => (await shown()).length).toBe(4);
    expect(await shown()).toEqual(sent);
    await page.close();
  });
});
