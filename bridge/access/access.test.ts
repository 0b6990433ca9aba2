// Who may connect (the allow-list) and where a token travels, as both transports read them.
import { describe, expect, it } from 'vitest';
import { tokenFromHeaders } from './credentials.js';
import { createAddressCheck } from './network.js';

const DEFAULTS = ['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', 'fc00::/7', 'fe80::/10'];

describe('address check', () => {
  const allowed = createAddressCheck(DEFAULTS);

  it('lets loopback and private LAN addresses in, IPv4-mapped IPv6 included', () => {
    for (const a of ['127.0.0.1', '::1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.20', '169.254.10.10', 'fd00::1', 'fe80::1', '::ffff:192.168.1.20', '::ffff:127.0.0.1']) {
      expect(allowed(a), a).toBe(true);
    }
  });

  it('keeps public, malformed and missing addresses out', () => {
    for (const a of ['8.8.8.8', '172.32.0.1', '172.15.255.255', '192.169.0.1', '11.0.0.1', '2001:4860::8888', '::ffff:8.8.8.8', 'not-an-ip', '', undefined]) {
      expect(allowed(a), String(a)).toBe(false);
    }
  });

  it('matches ranges of the same family only, at the exact prefix length', () => {
    const only = createAddressCheck(['192.168.1.0/24']);
    expect(only('192.168.1.255')).toBe(true);
    expect(only('192.168.2.1')).toBe(false);
    expect(only('::1')).toBe(false);
    expect(createAddressCheck([])('127.0.0.1')).toBe(false);
  });

  it('an IPv4-mapped IPv6 range is the IPv4 range it maps; other IPv6 ranges stay IPv6', () => {
    const mapped = createAddressCheck(['::ffff:192.168.0.0/112']);
    for (const a of ['192.168.5.5', '::ffff:192.168.5.5', '192.168.255.255']) expect(mapped(a), a).toBe(true);
    for (const a of ['192.169.0.1', '10.0.0.1', '::1', 'fe80::1']) expect(mapped(a), a).toBe(false);
    const narrow = createAddressCheck(['::ffff:10.1.0.0/120']);
    expect([narrow('10.1.0.200'), narrow('10.1.1.1')]).toEqual([true, false]);
    // Shorter than /96 it is not a mapped IPv4 range: IPv4 addresses do not match it.
    const wide = createAddressCheck(['::ffff:0:0/95']);
    expect([wide('192.168.1.1'), wide('::ffff:192.168.1.1')]).toEqual([false, false]);
    const v6 = createAddressCheck(['fe80::/10']);
    expect([v6('fe80::1'), v6('192.168.1.1'), v6('::ffff:192.168.1.1')]).toEqual([true, false, false]);
  });

  it('names a bad range in the setting it came from', () => {
    expect(() => createAddressCheck(['192.168.0.0/16', 'lan'])).toThrow('WA_BRIDGE_ALLOW_CIDRS: "lan" is not a CIDR range (e.g. 192.168.0.0/16)');
  });
});

describe('token from headers', () => {
  it('reads apikey first, then a Bearer authorization', () => {
    expect(tokenFromHeaders({ apikey: 'k1', authorization: 'Bearer k2' })).toBe('k1');
    expect(tokenFromHeaders({ authorization: 'Bearer k2' })).toBe('k2');
    expect(tokenFromHeaders({ authorization: 'Bearer   k3  ' })).toBe('k3');
    expect(tokenFromHeaders({ apikey: '', authorization: 'Bearer k4' })).toBe('k4');
  });

  it('is undefined without a usable token', () => {
    expect(tokenFromHeaders({})).toBeUndefined();
    expect(tokenFromHeaders({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
    expect(tokenFromHeaders({ authorization: 'Bearer ' })).toBeUndefined();
    expect(tokenFromHeaders({ authorization: 'Bearer    ' })).toBeUndefined();
    expect(tokenFromHeaders({ authorization: 'bearer k5' })).toBeUndefined();
    expect(tokenFromHeaders({ apikey: ['a', 'b'] as unknown as string })).toBeUndefined();
  });
});
