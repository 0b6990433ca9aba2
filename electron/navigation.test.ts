import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, withCsp } from './csp.js';
import { decideNavigation, decideWindowOpen, isAppUrl, isSafeExternalUrl, isTrustedSender } from './navigation.js';
import { isPermissionAllowed } from './permissions.js';

const APP = 'http://127.0.0.1:3000';

describe('navigation guard', () => {
  it('keeps navigation inside the bridge origin', () => {
    expect(decideNavigation('http://127.0.0.1:3000/chats/1', APP)).toEqual({ action: 'allow' });
    expect(decideNavigation('http://127.0.0.1:3000/', APP)).toEqual({ action: 'allow' });
  });

  it('sends other web pages to the system browser', () => {
    expect(decideNavigation('https://faq.whatsapp.com/', APP)).toEqual({ action: 'deny', openExternal: 'https://faq.whatsapp.com/' });
    expect(decideNavigation('mailto:help@example.org', APP)).toEqual({ action: 'deny', openExternal: 'mailto:help@example.org' });
  });

  it('treats a different port, host or scheme as foreign', () => {
    for (const url of ['http://127.0.0.1:3001/', 'http://localhost:3000/', 'https://127.0.0.1:3000/', 'http://127.0.0.1:3000.evil.com/']) {
      expect(decideNavigation(url, APP).action).toBe('deny');
    }
  });

  it('drops dangerous schemes without opening anything', () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<b>x</b>', 'smb://host/share', 'ms-settings:', 'not a url', '']) {
      expect(decideNavigation(url, APP)).toEqual({ action: 'deny' });
      expect(decideWindowOpen(url)).toEqual({ action: 'deny' });
    }
  });

  it('never opens new Electron windows, even for the app itself', () => {
    expect(decideWindowOpen(`${APP}/x`)).toEqual({ action: 'deny', openExternal: `${APP}/x` });
    expect(decideWindowOpen('https://example.org')).toEqual({ action: 'deny', openExternal: 'https://example.org' });
  });

  it('refuses links carrying credentials', () => {
    expect(isSafeExternalUrl('https://user:pw@example.org/')).toBe(false);
    expect(isSafeExternalUrl('https://example.org/')).toBe(true);
  });

  it('answers IPC only for the bridge top frame', () => {
    expect(isTrustedSender(`${APP}/settings`, true, APP)).toBe(true);
    expect(isTrustedSender(`${APP}/settings`, false, APP)).toBe(false);
    expect(isTrustedSender('https://evil.example/', true, APP)).toBe(false);
    expect(isTrustedSender(undefined, true, APP)).toBe(false);
    expect(isAppUrl('about:blank', APP)).toBe(false);
  });
});

describe('permission handler', () => {
  it('denies by default and allows only clipboard writes from the app', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'midi', 'openExternal', 'pointerLock', 'fullscreen', 'hid', 'serial', 'usb', 'unknown']) {
      expect(isPermissionAllowed(p, APP, APP)).toBe(false);
    }
    expect(isPermissionAllowed('clipboard-sanitized-write', `${APP}/devices`, APP)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example/', APP)).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', undefined, APP)).toBe(false);
  });
});

describe('content security policy', () => {
  it('is strict: no inline or eval script, no plugins, no framing, sockets only to the bridge', () => {
    const csp = contentSecurityPolicy(APP);
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['connect-src']).toEqual(["'self'", 'ws://127.0.0.1:3000']);
    expect(csp).not.toMatch(/unsafe-eval/);
  });

  it('adds the policy to response headers and keeps one the server sent', () => {
    const out = withCsp({ 'content-type': ['text/html'], 'content-security-policy': "default-src 'self'" }, APP);
    expect(out['content-type']).toEqual(['text/html']);
    expect(out['content-security-policy']).toEqual(["default-src 'self'", contentSecurityPolicy(APP)]);
    expect(withCsp(undefined, APP)).toEqual({ 'Content-Security-Policy': [contentSecurityPolicy(APP)] });
  });
});
