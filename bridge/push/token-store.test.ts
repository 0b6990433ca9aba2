import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createTokenStore } from './token-store.js';

const A = 'dGVzdC10b2tlbi1h:APA91bAAAA';
const B = 'dGVzdC10b2tlbi1i:APA91bBBBB';

describe('token store', () => {
  it('creates its table once and keeps one token per device', async () => {
    const db = new Database(':memory:');
    const store = createTokenStore(db);
    createTokenStore(db); // a second open must not fail or wipe anything
    await store.register('d1', A, 'android', 1);
    await store.register('d1', B, 'ios', 2);
    expect(await store.list()).toEqual([{ deviceId: 'd1', installationId: null, token: B, platform: 'ios', updatedAt: 2 }]);
  });

  it('removes only the token that was sent when pruning', async () => {
    const store = createTokenStore(new Database(':memory:'));
    await store.register('d1', A, null, 1);
    expect(await store.removeIfCurrent('d1', B)).toBe(false);
    expect(await store.list()).toHaveLength(1);
    expect(await store.removeIfCurrent('d1', A)).toBe(true);
    expect(await store.list()).toEqual([]);
  });

  it('moves a token that another device held', async () => {
    const store = createTokenStore(new Database(':memory:'));
    await store.register('d1', A, null, 1);
    await store.register('d2', A, null, 2);
    expect((await store.list()).map((t) => t.deviceId)).toEqual(['d2']);
    await store.remove('d2');
    expect(await store.list()).toEqual([]);
  });

  it('keeps one registration per phone when phones share a device token', async () => {
    const store = createTokenStore(new Database(':memory:'));
    await store.register('shop', A, 'android', 1, 'inst-a');
    await store.register('shop', B, 'ios', 2, 'inst-b');
    await store.register('shop', B, 'ios', 3, 'inst-b');
    expect(await store.list()).toEqual([
      { deviceId: 'shop', installationId: 'inst-a', token: A, platform: 'android', updatedAt: 1 },
      { deviceId: 'shop', installationId: 'inst-b', token: B, platform: 'ios', updatedAt: 3 },
    ]);
    // The same app install re-registering with a fresh token replaces only its own row.
    const C = 'dGVzdC10b2tlbi1j:APA91bCCCC';
    await store.register('shop', C, 'android', 4, 'inst-a');
    expect((await store.list()).map((r) => [r.installationId, r.token])).toEqual([['inst-a', C], ['inst-b', B]]);
    await expect(store.register('shop', C, null, 5, 'has spaces')).rejects.toThrow(/installationId/);
    await store.remove('shop');
    expect(await store.list()).toEqual([]);
  });

  it('upgrades a data dir from before installation ids in place', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE fcm_tokens (device_id TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, platform TEXT, updated_at INTEGER NOT NULL)');
    db.prepare('INSERT INTO fcm_tokens VALUES (?, ?, ?, ?)').run('d1', A, 'android', 7);
    const store = createTokenStore(db);
    expect(await store.list()).toEqual([{ deviceId: 'd1', installationId: null, token: A, platform: 'android', updatedAt: 7 }]);
    // The same phone now sends an installation id: its token moves to the new row, no duplicate.
    await store.register('d1', A, 'android', 8, 'inst-1');
    expect(await store.list()).toEqual([{ deviceId: 'd1', installationId: 'inst-1', token: A, platform: 'android', updatedAt: 8 }]);
    createTokenStore(db);
    expect(await store.list()).toHaveLength(1);
  });
});
