// The demo account keeps its unread counts across restarts, as a phone does: a demo bridge
// started again still has unread chats (the admin app's badge and Alt+N need them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../types.js';
import { DemoEngine } from './index.js';

const OMAR = '962781523783@c.us';
const SARAH = '447700900123@c.us';
const dirs: string[] = [];
const engines: DemoEngine[] = [];

async function readyEngine(slotDir: string): Promise<DemoEngine> {
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const emit = (e: EngineEvent) => {
    if (e.type === 'ready') ready();
  };
  const engine = new DemoEngine({ slot: 1, slotDir, dataDir: path.dirname(slotDir), logger: pino({ level: 'silent' }), emit }, { scanMs: 10, replyMs: 10, ackStepMs: 10 });
  engines.push(engine);
  await engine.start();
  await isReady;
  return engine;
}

async function unread(engine: DemoEngine): Promise<Record<string, number>> {
  return Object.fromEntries((await engine.getChats(50)).map((c) => [c.chatId, c.unreadCount]));
}

afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('demo engine history', () => {
  it('keeps unread counts and read marks across a restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-demo-'));
    dirs.push(dataDir);
    const slotDir = path.join(dataDir, 'slot-1');
    const first = await readyEngine(slotDir);
    expect((await unread(first))[OMAR]).toBe(1);
    await first.sendText(SARAH, 'are you open today?');
    await expect.poll(async () => (await unread(first))[SARAH]).toBe(1);
    await first.markRead(OMAR);
    await first.stop();

    const second = await readyEngine(slotDir);
    const counts = await unread(second);
    expect(counts[SARAH]).toBe(1);
    expect(counts[OMAR]).toBe(0);
    // …and the messages are all there, read marks taking no message room.
    expect((await second.getMessages(SARAH, 10)).map((m) => m.body)).toEqual(['Echo: are you open today?', 'are you open today?', 'Thanks, see you tomorrow!']);
    await second.markRead(SARAH);
    await second.stop();

    const third = await readyEngine(slotDir);
    expect(await unread(third)).toMatchObject({ [SARAH]: 0, [OMAR]: 0 });
  });
});
