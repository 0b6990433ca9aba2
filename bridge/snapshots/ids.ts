// Snapshot ids: `<created-at ms>-<8 hex>`, so they sort by time and are safe as file names and keys.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const SNAPSHOT_ID = /^[0-9]{1,16}-[0-9a-f]{8}$/;

export function newSnapshotId(createdAt: number): string {
  return `${createdAt}-${randomBytes(4).toString('hex')}`;
}

export function isSnapshotId(id: unknown): id is string {
  return typeof id === 'string' && SNAPSHOT_ID.test(id);
}

export const metaSchema = z.object({
  id: z.string().regex(SNAPSHOT_ID),
  slot: z.number().int().min(1),
  wid: z.string().min(1).max(128),
  createdAt: z.number().int().nonnegative(),
  reason: z.enum(['first', 'interval', 'stop', 'manual', 'backup']),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  formatVersion: z.number().int().min(1),
});

/** Newest first, ties by id. */
export function newestFirst<T extends { createdAt: number; id: string }>(list: T[]): T[] {
  return list.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
}
