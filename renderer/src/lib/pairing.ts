/**
 * What the phone app scans: where the bridge is (https://), the phone's own token, and the SHA-256
 * fingerprint of the bridge's certificate to pin (plus the next one while a renewal is announced).
 */
export function pairingPayload(url: string, token: string, fingerprint?: string | null, nextFingerprint?: string | null): string {
  return JSON.stringify({ url, token, ...(fingerprint ? { fingerprint } : {}), ...(nextFingerprint ? { nextFingerprint } : {}) });
}
