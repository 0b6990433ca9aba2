// Sign-in by cookie (issue 16): after signing in, the token is in no storage a script can read;
// a second tab is signed in too; signing out in one tab signs the other out; revoking the token
// signs its tabs out; an older app's kept token is exchanged once and deleted.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../renderer/src/i18n/en.js';
import { startUi, type UiKit } from './kit.js';

let kit: UiKit;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  kit = await startUi();
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});
afterAll(() => kit?.close());

async function freshContext(): Promise<BrowserContext> {
  const c = await kit.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  c.setDefaultTimeout(10_000);
  contexts.push(c);
  return c;
}

async function signInWith(page: Page, token: string): Promise<void> {
  await page.goto(kit.bridge.url + '/#/slots');
  await page.waitForSelector('[data-testid=signin-form]');
  await page.fill('[data-testid=token-input]', token);
  await page.click('[data-testid=signin-submit]');
  await page.locator('[data-testid=slot-grid]').waitFor();
}

const storageDump = (p: Page) => p.evaluate('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })') as Promise<string>;
const signedOut = (p: Page) => p.locator('[data-testid=signin-form]').waitFor();

describe('sign-in by session cookie', () => {
  it('keeps the token out of every script-readable store; a second tab is signed in; sign-out signs both out', async () => {
    const ctx = await freshContext();
    const a = await ctx.newPage();
    await signInWith(a, kit.bridge.adminToken);
    const dump = await storageDump(a);
    expect(dump).not.toContain(kit.bridge.adminToken);
    expect(dump).not.toContain('wab_session'); // HttpOnly: not in document.cookie
    const jar = await ctx.cookies(kit.bridge.url);
    expect(jar.find((c) => c.name === 'wab_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });

    // Another tab of the same browser: signed in without the form.
    const b = await ctx.newPage();
    await b.goto(kit.bridge.url + '/#/slots');
    await b.locator('[data-testid=slot-grid]').waitFor();
    expect(await b.locator('[data-testid=signin-form]').count()).toBe(0);
    // A reload keeps it (nothing in memory was needed).
    await b.reload();
    await b.locator('[data-testid=slot-grid]').waitFor();

    await a.click('[data-testid=sign-out]');
    await signedOut(a);
    await signedOut(b);
    expect(await b.locator('[data-testid=signin-notice]').textContent()).toBe(en.sessionEndedNote);
    expect((await ctx.cookies(kit.bridge.url)).find((c) => c.name === 'wab_session')).toBeUndefined();
    // And the server forgot the session: a new tab gets the form, and the old cookie value is useless.
    const c = await ctx.newPage();
    await c.goto(kit.bridge.url + '/#/slots');
    await signedOut(c);
  });

  it('a tab signed in with a device token is signed out when the device is revoked', async () => {
    const device = await kit.api<{ deviceId: string; token: string }>('POST', '/api/devices', { name: 'Front desk' });
    const ctx = await freshContext();
    const page = await ctx.newPage();
    await signInWith(page, device.token);
    const other = await ctx.newPage(); // a tab that takes no part in the revocation
    await other.goto(kit.bridge.url + '/#/slots');
    await other.locator('[data-testid=slot-grid]').waitFor();
    await kit.api('DELETE', `/api/devices/${device.deviceId}`);
    await signedOut(page);
    await signedOut(other);
    expect(await page.locator('[data-testid=signin-notice]').textContent()).toBe(en.sessionEndedNote);
  });

  it('a token kept by an older version (localStorage) is exchanged once and deleted', async () => {
    const ctx = await freshContext();
    const page = await ctx.newPage();
    await page.goto(kit.bridge.url + '/healthz'); // same origin, no app: seed the old storage
    await page.evaluate(`localStorage.setItem('waBridge.adminToken', ${JSON.stringify(kit.bridge.adminToken)})`);
    await page.goto(kit.bridge.url + '/#/slots');
    await page.locator('[data-testid=slot-grid]').waitFor();
    expect(await storageDump(page)).not.toContain(kit.bridge.adminToken);
    await page.reload();
    await page.locator('[data-testid=slot-grid]').waitFor(); // signed in by the cookie now
  });

  it('a stale kept token is deleted and the form is shown', async () => {
    const ctx = await freshContext();
    const page = await ctx.newPage();
    await page.goto(kit.bridge.url + '/healthz');
    await page.evaluate(`sessionStorage.setItem('waBridge.adminToken', 'a-token-that-was-rotated-away-0000')`);
    await page.goto(kit.bridge.url + '/#/slots');
    await signedOut(page);
    expect(await storageDump(page)).not.toContain('rotated-away');
  });
});
