import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WriteBatcher } from './batcher.js';
import { Spool } from './spool.js';
import type { ArchiveOp } from './ops.js';

describe('WriteBatcher', () => {
  it('waits up to the window, then writes everything in order, one batch at a time', async () => {
    const batches: number[][] = [];
    let inFlight = 0;
    const b = new WriteBatcher<number>({
      windowMs: 30,
      maxBatch: 4,
      write: async (batch) => {
        inFlight++;
        expect(inFlight).toBe(1);
        await new Promise((r) => setTimeout(r, 5));
        batches.push(batch);
        inFlight--;
      },
      onError: () => undefined,
    });
    b.push(1);
    b.push(2);
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([]); // still inside the window
    for (let i = 3; i <= 10; i++) b.push(i); // passes maxBatch: written without waiting
    await b.flush();
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(batches.every((x) => x.length <= 4)).toBe(true);
    expect(b.size).toBe(0);
  });

  it('reports a failed batch and carries on with the next', async () => {
    const failed: number[][] = [];
    const written: number[] = [];
    const b = new WriteBatcher<number>({
      windowMs: 1,
      maxBatch: 2,
      write: async (batch) => {
        if (batch.includes(3)) throw new Error('disk full');
        written.push(...batch);
      },
      onError: (_err, batch) => failed.push(batch),
    });
    for (let i = 1; i <= 6; i++) b.push(i);
    await b.flush();
    expect(failed).toEqual([[3, 4]]);
    expect(written).toEqual([1, 2, 5, 6]);
  });
});

describe('Spool', () => {
  const op = (i: number): ArchiveOp => ({ op: 'ack', slot: 1, id: `m${i}`, ack: 2 });

  it('keeps operations in order across restarts and skips a torn last line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-spool-'));
    const file = path.join(dir, 'spool.jsonl');
    const a = new Spool(file);
    await a.append([op(1), op(2)]);
    await a.append([op(3)]);
    fs.appendFileSync(file, '{"op":"ack","sl'); // a crash mid-write
    const b = new Spool(file);
    // The torn line is no operation: it is neither counted as pending nor replayed …
    expect(b.size).toBe(3);
    expect((await b.readAll()).map((o) => (o as { id: string }).id)).toEqual(['m1', 'm2', 'm3']);
    // … and the next append is not glued onto it.
    await b.append([op(4)]);
    expect(b.size).toBe(4);
    expect((await new Spool(file).readAll()).map((o) => (o as { id: string }).id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    await b.clear();
    expect(b.isEmpty).toBe(true);
    expect(await b.readAll()).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is bounded: what does not fit is refused and counted', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-spool-'));
    const s = new Spool(path.join(dir, 'spool.jsonl'), 100);
    const refused = await s.append([op(1), op(2), op(3), op(4), op(5)]);
    expect(refused).toBeGreaterThan(0);
    expect(s.size + refused).toBe(5);
    expect(s.dropped).toBe(refused);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
