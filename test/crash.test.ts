// Crashes and broken outputs against the bridge as a real process: kill -9 right after sends were
// answered, and stdout on a full disk (/dev/full answers every write with ENOSPC).
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from './helpers/bridge.js';
import { connectAndWait, killAll, startBridgeProcess, TOKEN } from './helpers/process.js';

afterEach(() => killAll());

describe('kill -9', { timeout: 90_000 }, () => {
  it('every send answered with an id is in the archive after the restart', async () => {
    const dataDir = tempDir();
    const first = await startBridgeProcess(dataDir);
    await connectAndWait(first);
    const chatId = '15550800001@c.us';
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await first.http.post('/api/send').set('apikey', TOKEN).send({ slot: 1, chatId, message: `answered ${i}`, idempotencyKey: `k${i}` }).expect(200);
      ids.push(res.body.messageId as string);
    }
    // Killed at once: the newest sends are still in the archive's batch window.
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startBridgeProcess(dataDir, { env: { WA_BRIDGE_SLOTS: '2' } });
    const archived = await waitFor(async () => {
      const res = await second.http.get('/api/archive').query({ slot: 1, chatId, limit: 100 }).set('apikey', TOKEN).expect(200);
      const got = new Set((res.body.data as { id: string }[]).map((m) => m.id));
      return ids.every((id) => got.has(id)) ? got : null;
    }, 10_000, 'every answered send archived').catch(() => null);
    expect(archived, 'sends answered 200 but missing from the archive').not.toBeNull();
    // A retry with a stored key still answers the first id, without sending again.
    const retry = await second.http.post('/api/send').set('apikey', TOKEN).send({ slot: 1, chatId, message: 'answered 39', idempotencyKey: 'k39' });
    expect(retry.body.messageId).toBe(ids[39]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

describe('stdout on a full disk', { timeout: 60_000 }, () => {
  it('log write errors never end the bridge: it keeps serving and sending', async () => {
    const full = fs.openSync('/dev/full', 'w');
    const run = await startBridgeProcess(tempDir(), { env: { LOG_LEVEL: 'info' }, stdio: ['ignore', full, full] });
    fs.closeSync(full);
    await connectAndWait(run); // logs at info on every step
    for (let i = 0; i < 5; i++) {
      await run.http.post('/api/send').set('apikey', TOKEN).send({ slot: 1, phone: '15550800002', message: `still here ${i}` }).expect(200);
    }
    await run.http.get('/api/nothing-here').set('apikey', TOKEN).expect(404);
    expect((await run.http.get('/api/health').set('apikey', TOKEN).expect(200)).body.slots[0].state).toBe('READY');
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});
