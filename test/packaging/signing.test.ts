import { describe, expect, it } from 'vitest';
import { notarizeCredentials, signingPlan } from '../../scripts/packaging/signing.js';

describe('signingPlan', () => {
  it('skips macOS signing and notarisation without secrets, and says which variables to set', () => {
    const plan = signingPlan('darwin', {});
    expect(plan).toMatchObject({ sign: false, notarize: false });
    expect(plan.messages.join('\n')).toMatch(/NOT signed \(set CSC_LINK .* CSC_KEY_PASSWORD\)/);
    expect(plan.messages.join('\n')).toMatch(/NOT notarised \(needs signing first\)/);
  });

  it('signs with a certificate and notarises with any complete credential set', () => {
    const cert = { CSC_LINK: 'base64…', CSC_KEY_PASSWORD: 'x' };
    expect(signingPlan('darwin', cert)).toMatchObject({ sign: true, notarize: false });
    expect(signingPlan('darwin', cert).messages[1]).toMatch(/APPLE_API_KEY, APPLE_API_KEY_ID and APPLE_API_ISSUER/);
    expect(signingPlan('darwin', { ...cert, APPLE_API_KEY: 'k.p8', APPLE_API_KEY_ID: 'id', APPLE_API_ISSUER: 'iss' })).toMatchObject({ sign: true, notarize: true });
    expect(notarizeCredentials({ APPLE_ID: 'a@b', APPLE_APP_SPECIFIC_PASSWORD: 'p', APPLE_TEAM_ID: 't' })).toBe('Apple ID');
    expect(notarizeCredentials({ APPLE_ID: 'a@b', APPLE_APP_SPECIFIC_PASSWORD: ' ', APPLE_TEAM_ID: 't' })).toBeNull(); // blank secret = unset
  });

  it('covers Windows signing and leaves Linux alone', () => {
    expect(signingPlan('win32', {}).messages[0]).toMatch(/^Windows: NOT signed/);
    expect(signingPlan('win32', { WIN_CSC_LINK: 'x' }).sign).toBe(true);
    expect(signingPlan('linux', { CSC_LINK: 'x' })).toEqual({ sign: false, notarize: false, messages: [] });
  });
});
