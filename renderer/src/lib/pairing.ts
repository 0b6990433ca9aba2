/** What the phone app scans: where the bridge is and the phone's own token. */
export function pairingPayload(url: string, token: string): string {
  return JSON.stringify({ url, token });
}
