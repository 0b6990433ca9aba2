// Which of this computer's addresses a phone can really reach, given the interface the bridge
// listens on: a bridge bound to 127.0.0.1 answers nobody on the LAN, whatever addresses exist.
import ipaddr from 'ipaddr.js';

/** Listening on this computer only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (!ipaddr.isValid(h)) return false;
  const addr = ipaddr.process(h);
  return addr.range() === 'loopback';
}

/** Listening on every interface (0.0.0.0 or ::). */
export function isWildcardHost(host: string): boolean {
  const h = host.trim().replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::' || h === '';
}

/** Can a phone on the LAN reach the bridge at `address` when it listens on `host`? */
export function reachableAt(host: string, address: string): boolean {
  if (isWildcardHost(host)) return true;
  if (isLoopbackHost(host)) return false;
  const h = host.trim().replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(h) || !ipaddr.isValid(address)) return h === address;
  return ipaddr.process(h).toString() === ipaddr.process(address).toString();
}
