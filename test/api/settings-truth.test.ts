// Issue 16, "Settings tell the truth": an option set by an environment variable is reported as
// locked (naming it) and cannot be saved over; changes that need a restart list themselves; the
// admin app can ask for a restart when whoever started the bridge can do one.
import { afterEach, describe, expect, it } from 'vitest';
import { startBridge, type TestBridge } from '../helpers/bridge.js';

const running: TestBridge[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.stop();
});

describe('settings and restart', () => {
  it('reports env-set options as locked with the variable, shows their real value, refuses to save them', async () => {
    const t = await startBridge({}, {}, { WA_BRIDGE_RATE_PER_MINUTE: '40', WA_BRIDGE_SLOTS: '3' });
    running.push(t);
    const res = await t.http.get('/api/settings').set('apikey', t.token).expect(200);
    expect(res.body.locked).toEqual({ slots: 'WA_BRIDGE_SLOTS', ratePerMinute: 'WA_BRIDGE_RATE_PER_MINUTE' });
    expect(res.body.data).toMatchObject({ slots: 3, ratePerMinute: 40 });
    const refused = await t.http.put('/api/settings').set('apikey', t.token).send({ ratePerMinute: 12 }).expect(400);
    expect(refused.body.error.message).toContain('WA_BRIDGE_RATE_PER_MINUTE');
    // Another option still saves, and lists itself as needing a restart.
    const saved = await t.http.put('/api/settings').set('apikey', t.token).send({ ratePerHour: 99 }).expect(200);
    expect(saved.body.restartRequired).toEqual(['ratePerHour']);
    expect(saved.body.locked).toEqual({ slots: 'WA_BRIDGE_SLOTS', ratePerMinute: 'WA_BRIDGE_RATE_PER_MINUTE' });
  });

  it('an explicit option is not reported as env-locked; nothing is locked without variables', async () => {
    const t = await startBridge({ slots: 2 }, {}, { WA_BRIDGE_SLOTS: '3' });
    running.push(t);
    expect((await t.http.get('/api/settings').set('apikey', t.token).expect(200)).body.locked).toEqual({});
  });

  it('restarts through the starter’s hook after answering; refuses when there is none', async () => {
    let asked = 0;
    const t = await startBridge({}, { onRestart: () => asked++ });
    running.push(t);
    const res = await t.http.post('/api/restart').set('apikey', t.token).expect(202);
    expect(res.body).toEqual({ success: true, restarting: true });
    await expect.poll(() => asked).toBe(1);
    const plain = await startBridge();
    running.push(plain);
    const refused = await plain.http.post('/api/restart').set('apikey', plain.token).expect(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    // Admin only.
    const device = await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'phone' }).expect(201);
    await t.http.post('/api/restart').set('apikey', device.body.token).expect(403);
    expect(asked).toBe(1);
  });
});
