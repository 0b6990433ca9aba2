// REST for session snapshots on the demo engine (a fake profile stands in for Chromium's):
// admin only, take / list / restore, refusals, health and metrics, the snapshot on a clean stop.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { profileDirOf } from '../../bridge/engine/profile.js';
import { connectSlot, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { fakeProfile, IDB } from '../snapshots/kit.js';

let t: TestBridge | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

const marker = (dataDir: string, slot: number) => fs.readFileSync(path.join(profileDirOf(dataDir, slot), IDB, 'marker'), 'utf8');

describe('snapshot routes', () => {
  it('are admin only: 401 without a token, 403 with a device token', async () => {
    t = await startBridge();
    const device = (await t.http.post('/api/devices').set('apikey', t.token).send({ name: 'Phone' }).expect(201)).body.token as string;
    for (const [method, url] of [
      ['post', '/api/slots/1/snapshot'],
      ['get', '/api/slots/1/snapshots'],
      ['post', '/api/slots/1/restore'],
    ] as const) {
      expect((await t.http[method](url).expect(401)).body.error.code).toBe('UNAUTHORIZED');
      expect((await t.http[method](url).set('apikey', device).expect(403)).body.error.code).toBe('FORBIDDEN');
    }
  });

  it('take, list, restore (the running slot restarts), health and metrics', async () => {
    t = await startBridge();
    const api = t;
    await connectSlot(api, 1);
    fakeProfile(profileDirOf(api.dataDir, 1), { marker: 'first' });
    const taken = await api.http.post('/api/slots/1/snapshot').set('apikey', api.token).expect(200);
    expect(taken.body).toMatchObject({ success: true, snapshot: { reason: 'manual', store: 'local', wid: expect.stringMatching(/@c\.us$/) } });
    const id = taken.body.snapshot.id as string;

    const list = await api.http.get('/api/slots/1/snapshots').set('apikey', api.token).expect(200);
    expect(list.body).toMatchObject({ success: true, slot: 1, store: 'local', snapshots: [{ id, bytes: taken.body.snapshot.bytes }] });

    const health = await api.http.get('/api/health').set('apikey', api.token).expect(200);
    expect(health.body.snapshots).toEqual({ store: 'local', ok: true, error: null });
    expect(health.body.slots[0].snapshot).toMatchObject({ newest: { id, bytes: taken.body.snapshot.bytes }, lastError: null });
    expect(health.body.slots[0].snapshot.newest.ageSeconds).toBeGreaterThanOrEqual(0);

    fs.writeFileSync(path.join(profileDirOf(api.dataDir, 1), IDB, 'marker'), 'changed');
    const restored = await api.http.post('/api/slots/1/restore').set('apikey', api.token).send({}).expect(200);
    expect(restored.body).toMatchObject({ success: true, snapshot: { id }, skipped: [], restarted: true });
    expect(marker(api.dataDir, 1)).toBe('first');
    await waitFor(async () => (await api.http.get('/api/slots').set('apikey', api.token)).body[0].ready, 10_000, 'slot 1 READY again');
    // No snapshot of the profile that was being replaced.
    expect((await api.http.get('/api/slots/1/snapshots').set('apikey', api.token)).body.snapshots).toHaveLength(1);

    const metrics = await api.http.get('/metrics').set('apikey', api.token).expect(200);
    expect(metrics.text).toMatch(/wa_snapshots_made_total\{slot="1"\} 1/);
    expect(metrics.text).toMatch(/wa_snapshot_restores_total\{slot="1",outcome="restored"\} 1/);
    expect(metrics.text).toMatch(/wa_snapshot_bytes\{slot="1"\} \d+/);
  });

  it('refusals: not ready 409, no profile 422 (shown in health), unknown id 404, bad body 400', async () => {
    t = await startBridge();
    const api = t;
    expect((await api.http.post('/api/slots/1/snapshot').set('apikey', api.token).expect(409)).body.error.code).toBe('NOT_CONNECTED');
    expect((await api.http.post('/api/slots/9/snapshot').set('apikey', api.token).expect(400)).body.error.code).toBe('INVALID_SLOT');
    await connectSlot(api, 1);
    const refused = await api.http.post('/api/slots/1/snapshot').set('apikey', api.token).expect(422);
    expect(refused.body.error).toMatchObject({ code: 'SNAPSHOT_REFUSED', message: expect.stringMatching(/no Default\/IndexedDB data/) });
    const health = await api.http.get('/api/health').set('apikey', api.token).expect(200);
    expect(health.body.slots[0].snapshot).toMatchObject({ newest: null, lastError: expect.stringMatching(/refused/) });
    expect((await api.http.post('/api/slots/1/restore').set('apikey', api.token).send({}).expect(404)).body.error.code).toBe('NOT_FOUND');
    expect((await api.http.post('/api/slots/1/restore').set('apikey', api.token).send({ snapshotId: '../../etc' }).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    expect((await api.http.post('/api/slots/1/restore').set('apikey', api.token).send({ snapshotId: '1700000000000-deadbeef' }).expect(404)).body.error.code).toBe('NOT_FOUND');
    expect((await api.http.post('/api/slots/1/restore').set('apikey', api.token).send({ force: 'yes' }).expect(400)).body.error.code).toBe('VALIDATION_ERROR');
    // The slot kept running through the failed restores.
    expect((await api.http.get('/api/slots').set('apikey', api.token)).body[0].ready).toBe(true);
  });

  it('a clean stop of a READY slot leaves a snapshot; a logout deletes them all', async () => {
    t = await startBridge();
    const first = t;
    await connectSlot(first, 1);
    fakeProfile(profileDirOf(first.dataDir, 1));
    await first.stop();
    t = await startBridge({ dataDir: first.dataDir });
    const second = t;
    const list = (await second.http.get('/api/slots/1/snapshots').set('apikey', second.token).expect(200)).body.snapshots;
    expect(list).toMatchObject([{ reason: 'stop' }]);
    await waitFor(async () => (await second.http.get('/api/slots').set('apikey', second.token)).body[0].ready, 10_000, 'slot 1 back');
    await second.http.post('/api/disconnect').set('apikey', second.token).send({ slot: 1, logout: true }).expect(200);
    expect((await second.http.get('/api/slots/1/snapshots').set('apikey', second.token).expect(200)).body.snapshots).toEqual([]);
  }, 60_000); // two bridge starts: ~3 s idle, over 20 s on a loaded CI box
});
