// What `npm run dist` will sign and notarise, decided by environment variables only (CI
// secrets), and said plainly when something is skipped. electron-builder reads the same
// variables itself; this states the outcome up front instead of burying it in its log.
export interface SigningPlan {
  sign: boolean;
  notarize: boolean;
  messages: string[];
}

const has = (env: NodeJS.ProcessEnv, ...names: string[]): boolean => names.every((n) => !!env[n]?.trim());

/** Notarisation credentials electron-builder accepts: an App Store Connect API key, an Apple ID, or a keychain profile. */
export function notarizeCredentials(env: NodeJS.ProcessEnv): string | null {
  if (has(env, 'APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER')) return 'App Store Connect API key';
  if (has(env, 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID')) return 'Apple ID';
  if (has(env, 'APPLE_KEYCHAIN', 'APPLE_KEYCHAIN_PROFILE')) return 'keychain profile';
  return null;
}

export function signingPlan(platform: string, env: NodeJS.ProcessEnv): SigningPlan {
  if (platform === 'darwin') {
    const sign = has(env, 'CSC_LINK') || has(env, 'CSC_NAME');
    const credentials = sign ? notarizeCredentials(env) : null;
    const messages = [
      sign
        ? 'macOS: signing with the Developer ID certificate from CSC_LINK/CSC_NAME (hardened runtime; the bundled Chrome for Testing is signed with it)'
        : 'macOS: NOT signed (set CSC_LINK to a base64 .p12 of a "Developer ID Application" certificate and CSC_KEY_PASSWORD): Gatekeeper will block the dmg on other Macs',
      credentials
        ? `macOS: notarising with the ${credentials}`
        : `macOS: NOT notarised (${sign ? 'set APPLE_API_KEY, APPLE_API_KEY_ID and APPLE_API_ISSUER, or APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID' : 'needs signing first'})`,
    ];
    return { sign, notarize: credentials !== null, messages };
  }
  if (platform === 'win32') {
    const sign = has(env, 'WIN_CSC_LINK') || has(env, 'CSC_LINK');
    return {
      sign,
      notarize: false,
      messages: [sign ? 'Windows: signing with the certificate from WIN_CSC_LINK/CSC_LINK' : 'Windows: NOT signed (set WIN_CSC_LINK and WIN_CSC_KEY_PASSWORD): SmartScreen will warn on first run'],
    };
  }
  return { sign: false, notarize: false, messages: [] };
}
