// Issue 16: axe-core on every screen, in English and Arabic, light and dark: no serious or
// critical violations (contrast included: all text reaches WCAG AA).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUi, type UiKit } from './kit.js';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const OMAR = '962781523783@c.us';
const SCREENS: [string, string][] = [
  ['slots', '#/slots'],
  ['chats', `#/chats?slot=1&chat=${encodeURIComponent(OMAR)}`],
  ['search', '#/search?q=hello'],
  ['phones', '#/phones'],
  ['settings', '#/settings'],
];

let kit: UiKit;

type Violation = { id: string; impact: string; nodes: { target: string[] }[] };

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as { violations: Violation[] };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

beforeAll(async () => {
  kit = await startUi({ slots: 2 });
  await kit.connect(1);
  await kit.api('POST', '/api/send', { slot: 1, chatId: OMAR, message: 'hello for the search screen' });
});

afterAll(async () => {
  await kit?.close();
});

describe('accessibility (axe-core)', () => {
  for (const lang of ['en', 'ar'] as const) {
    for (const theme of ['light', 'dark'] as const) {
      it(`has no serious or critical violations on any screen: ${lang}, ${theme}`, async () => {
        const found: string[] = [];
        // The sign-in screen, before any token.
        const signIn = await kit.context.newPage();
        await signIn.emulateMedia({ colorScheme: theme });
        await signIn.addInitScript({ content: `localStorage.setItem('waBridge.lang', ${JSON.stringify(lang)});` });
        await signIn.goto(kit.bridge.url);
        await signIn.locator('[data-testid=signin-form]').waitFor();
        for (const v of await seriousViolations(signIn)) found.push(`signin: ${v}`);
        await signIn.close();
        const page = await kit.page({ lang, theme });
        for (const [name, hash] of SCREENS) {
          await page.goto(`${kit.bridge.url}/${hash}`);
          await page.locator(`main.content[data-screen=${name}] h1, main.content[data-screen=${name}] h2`).first().waitFor();
          await page.waitForLoadState('networkidle');
          for (const v of await seriousViolations(page)) found.push(`${name}: ${v}`);
        }
        await page.close();
        expect(found).toEqual([]);
      });
    }
  }
});

