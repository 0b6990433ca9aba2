import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createTokenStore } from './token-store.js';

const A = 'dGVzdC10b2tlbi1h:APA91bAAAA';
const B = 'dGVzdC10b2tlbi1i:APA91bBBBB';

describe('token store', () => {
  it('creates its table once and keeps one token per device', () => {
    const db = new Database(':memory:');
    const store = createTokenStore(db);
    createTokenStore(db); // a second open must not fail or wipe anything
    store.register('d1', A, 'android', 1);
    store.register('d1', B, 'ios', 2);
    expect(store.list()).toEqual([{ deviceId: 'd1', installationId: null, token: B, platform: 'ios', updatedAt: 2 }]);
  });

  it('removes only the token that was sent when pruning', () => {
    const store = createTokenStore(new Database(':memory:'));
    store.register('d1', A, null, 1);
    expect(store.removeIfCurrent('d1', B)).toBe(false);
    expect(store.list()).toHaveLength(1);
    expect(store.removeIfCurrent('d1', A)).toBe(true);
    expect(store.list()).toEqual([]);
  });

  it('moves a token that another device held', () => {
    const store = createTokenStore(new Database(':memory:'));
    store.register('d1', A, null, 1);
    store.register('d2', A, null, 2);
    expect(store.list().map((t) => t.deviceId)).toEqual(['d2']);
    store.remove('d2');
    expect(store.list()).toEqual([]);
  });

  it('keeps one registration per phone when phones share a device token', () => {
    const store = createTokenStore(new Database(':memory:'));
    store.register('shop', A, 'android', 1, 'inst-a');
    store.register('shop', B, 'ios', 2, 'inst-b');
    store.register('shop', B, 'ios', 3, 'inst-b');
    expect(store.list()).toEqual([
      { deviceId: 'shop', installationId: 'inst-a', token: A, platform: 'android', updatedAt: 1 },
      { deviceId: 'shop', installationId: 'inst-b', token: B, platform: 'ios', updatedAt: 3 },
    ]);
    // The same app install re-registering with a fresh token replaces only its own row.
    const C = 'dGVzdC10b2tlbi1j:APA91bCCCC';
    store.register('shop', C, 'android', 4, 'inst-a');
    expect(store.list().map((r) => [r.installationId, r.token])).toEqual([['inst-a', C], ['inst-b', B]]);
    expect(() => store.register('shop', C, null, 5, 'has spaces')).toThrow(/installationId/);
    store.remove('shop');
    expect(store.list()).toEqual([]);
  });

  it('upgrades a data dir from before installation ids in place', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE fcm_tokens (device_id TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, platform TEXT, updated_at INTEGER NOT NULL)');
    db.prepare('INSERT INTO fcm_tokens VALUES (?, ?, ?, ?)').run('d1', A, 'android', 7);
    const store = createTokenStore(db);
    expect(store.list()).toEqual([{ deviceId: 'd1', installationId: null, token: A, platform: 'android', updatedAt: 7 }]);
    // The same phone now sends an installation id: its token moves to the new row, no duplicate.
    store.register('d1', A, 'android', 8, 'inst-1');
    expect(store.list()).toEqual([{ deviceId: 'd1', installationId: 'inst-1', token: A, platform: 'android', updatedAt: 8 }]);
    createTokenStore(db);
    expect(store.list()).toHaveLength(1);
  });
});
