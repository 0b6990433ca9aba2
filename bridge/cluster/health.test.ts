import { describe, expect, it } from 'vitest';
import { clusterHealth, nodeGateway, slotGateway } from './health.js';
import type { LeaseRow } from './leases.js';

const lease = (slot: number, owner: string | null, fence: number, over: Partial<LeaseRow> = {}): LeaseRow => ({
  slot,
  owner,
  fence,
  free: owner === null,
  wanted: true,
  preferredNode: null,
  moveTo: null,
  expiresInMs: owner ? 5000 : null,
  renewedAgoMs: 100,
  ...over,
});
const node = (id: string, silentMs = 0) => ({ id, url: `http://${id}`, version: '0.1.0', pid: 1, capacity: 6, draining: false, silentMs });

describe('cluster health', () => {
  it('maps slot states to the guide\'s gateway_status', () => {
    expect(['READY', 'STARTING', 'AUTHENTICATED', 'RECONNECTING', 'QR', 'STOPPED', 'FAILED'].map(slotGateway)).toEqual([
      'connected',
      'connecting',
      'connecting',
      'connecting',
      'unregistered',
      'disconnected',
      'disconnected',
    ]);
    expect(nodeGateway([])).toBe('disconnected');
    expect(nodeGateway(['READY', 'READY'])).toBe('connected');
    expect(nodeGateway(['READY', 'STARTING'])).toBe('connecting');
    expect(nodeGateway(['QR'])).toBe('unregistered');
    expect(nodeGateway(['FAILED'])).toBe('disconnected');
  });

  it('keys nodes by id with role and slots, a silent node with error 1011, and who runs each slot', () => {
    const body = clusterHealth({
      nodes: [node('a:111111'), node('b:222222'), node('c:333333', 31_000)],
      leases: [
        lease(0, 'b:222222', 4),
        lease(1, 'a:111111', 7),
        lease(2, 'a:111111', 3),
        lease(3, null, 2, { wanted: true }),
        lease(4, 'c:333333', 9, { free: true }), // expired: nobody's
      ],
      statuses: [
        { slot: 1, node: 'a:111111', fence: 7, state: 'READY', phone: '155', lastError: null, ageMs: 10 },
        { slot: 2, node: 'a:111111', fence: 2, state: 'READY', phone: null, lastError: null, ageMs: 10 }, // older fence: not trusted
      ],
      slots: 4,
      silentAfterMs: 6000,
      version: '0.1.0',
    });
    expect(body.health).toEqual({
      'a:111111': {
        gateway_status: 'connecting',
        role: 'secondary_master',
        draining: false,
        url: 'http://a:111111',
        slots: { '1': { gateway_status: 'connected', state: 'READY', fence: 7, phone: '155' }, '2': { gateway_status: 'connecting', state: 'STARTING', fence: 3, phone: null } },
      },
      'b:222222': { gateway_status: 'disconnected', role: 'primary_master', url: 'http://b:222222', draining: false, slots: {} },
      'c:333333': { errors: [{ code: 1011, title: 'Service not ready', details: 'no heartbeat for 31 s' }] },
    });
    expect(body.slots).toEqual({
      '1': { owner: 'a:111111', fence: 7, wanted: true, gateway_status: 'connected', state: 'READY' },
      '2': { owner: 'a:111111', fence: 3, wanted: true, gateway_status: 'connecting', state: 'STARTING' },
      '3': { owner: null, fence: 2, wanted: true, gateway_status: 'disconnected', state: 'STOPPED' },
      '4': { owner: null, fence: 9, wanted: true, gateway_status: 'disconnected', state: 'STOPPED' },
    });
    expect(body.meta).toEqual({ api_status: 'stable', version: '0.1.0' });
  });
});
