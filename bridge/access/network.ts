// Who may connect at all: loopback and private LAN ranges by default (a port forwarded to the
// internet by mistake must not expose the owner's WhatsApp), configurable as CIDRs.
import ipaddr from 'ipaddr.js';

export type AddressCheck = (address: string | undefined) => boolean;

/** `::ffff:192.168.0.0/112` is the IPv4 range 192.168.0.0/16: addresses are compared as IPv4. */
function asIPv4Range([range, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(range as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [range, bits];
}

export function createAddressCheck(cidrs: string[]): AddressCheck {
  const ranges = cidrs.map((cidr) => {
    try {
      return asIPv4Range(ipaddr.parseCIDR(cidr));
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
