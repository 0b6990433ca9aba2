/**
 * What the phone app scans: where the bridge is (https://), the phone's own token, and the SHA-256
 * fingerprint of the bridge's certificate to pin (plus the next one while a renewal is announced).
 */
export function pairingPayload(url: string, token: string, fingerprint?: string | null, nextFingerprint?: string | null, nodes?: PairingNode[]): string {
  return JSON.stringify({ url, token, ...(fingerprint ? { fingerprint } : {}), ...(nextFingerprint ? { nextFingerprint } : {}), ...(nodes?.length ? { nodes } : {}) });
}

/** In a cluster: every node the phone may move to, with the certificate to pin there. */
export interface PairingNode {
  id: string;
  url: string;
  fingerprint: string | null;
  nextFingerprint?: string;
}
