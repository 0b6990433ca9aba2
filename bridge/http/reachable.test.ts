import { describe, expect, it } from 'vitest';
import { isLoopbackHost, reachableAt } from './reachable.js';

describe('reachable addresses', () => {
  it('knows a loopback-only bridge reaches no phone', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.7']) expect(isLoopbackHost(h), h).toBe(false);
    expect(reachableAt('127.0.0.1', '192.168.1.20')).toBe(false);
    expect(reachableAt('localhost', '192.168.1.20')).toBe(false);
  });

  it('on every interface reaches every address; on one address only that one', () => {
    expect(reachableAt('0.0.0.0', '192.168.1.20')).toBe(true);
    expect(reachableAt('::', '10.0.0.7')).toBe(true);
    expect(reachableAt('192.168.1.20', '192.168.1.20')).toBe(true);
    expect(reachableAt('192.168.1.20', '10.0.0.7')).toBe(false);
    expect(reachableAt('::ffff:192.168.1.20', '192.168.1.20')).toBe(true);
  });
});
