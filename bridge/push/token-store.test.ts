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
    expect(store.list()).toEqual([{ deviceId: 'd1', token: B, platform: 'ios', updatedAt: 2 }]);
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
});
