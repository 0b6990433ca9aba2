// Who may connect at all: loopback and private LAN ranges by default (a port forwarded to the
// internet by mistake must not expose the owner's WhatsApp), configurable as CIDRs.
import ipaddr from 'ipaddr.js';

export type AddressCheck = (address: string | undefined) => boolean;

export function createAddressCheck(cidrs: string[]): AddressCheck {
  const ranges = cidrs.map((cidr) => {
    try {
      return ipaddr.parseCIDR(cidr);
    } catch {
      throw new Error(`WA_BRIDGE_ALLOW_CIDRS: "${cidr}" is not a CIDR range (e.g. 192.168.0.0/16)`);
    }
  });
  return (address) => {
    if (!address) return false;
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.process(address); // IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes IPv4
    } catch {
      return false;
    }
    return ranges.some(([range, bits]) => ip.kind() === range.kind() && ip.match(range, bits));
  };
}
