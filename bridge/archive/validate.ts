// Argument checks shared by both stores: bad reads get a clear VALIDATION_ERROR (400 at the HTTP
// layer); bad writes are logged and dropped, since writes never throw.
import type { Logger } from 'pino';
import { BridgeError } from '../domain/index.js';
import type { SearchOrder, SearchQuery } from './types.js';

/** What a search may be narrowed to besides the slot: one chat, a time range (unix seconds, inclusive). */
export interface SearchScope {
  chatId?: string;
  from?: number;
  to?: number;
}
import { validSlot } from './ops.js';

export const MAX_LIMIT = 500;
/** Reads slower than this are logged (with no query text: that is the owner's data). */
export const SLOW_READ_MS = 40;

export function checkSlot(slot: unknown, logger: Logger): slot is number {
  if (validSlot(slot)) return true;
  logger.warn({ slot }, 'archive: write with an invalid slot ignored');
  return false;
}

export function checkPage(limit: unknown, offset: unknown): void {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new BridgeError('VALIDATION_ERROR', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new BridgeError('VALIDATION_ERROR', 'offset must be an integer ≥ 0');
  }
}

export function checkSearch(q: SearchQuery): { slot: number | undefined; query: string; limit: number; offset: number; order: SearchOrder } & SearchScope {
  if (!q || typeof q.query !== 'string' || q.query.trim() === '') {
    throw new BridgeError('VALIDATION_ERROR', 'query must be a non-empty string');
  }
  if (q.slot !== undefined && !validSlot(q.slot)) throw new BridgeError('INVALID_SLOT', 'slot must be a positive integer');
  const offset = q.offset ?? 0;
  checkPage(q.limit, offset);
  // A novel pasted into the box is still searched, just by its first part.
  if (q.order !== undefined && q.order !== 'relevance' && q.order !== 'newest') throw new BridgeError('VALIDATION_ERROR', 'order must be relevance or newest');
  const within = (v: number | undefined, name: string) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new BridgeError('VALIDATION_ERROR', `${name} must be unix seconds (a whole number ≥ 0)`);
    return v;
  };
  if (q.chatId !== undefined && (typeof q.chatId !== 'string' || q.chatId === '')) throw new BridgeError('VALIDATION_ERROR', 'chatId must be a chat id');
  return {
    slot: q.slot, query: q.query.slice(0, 1000), limit: q.limit, offset, order: q.order ?? 'relevance',
    chatId: q.chatId, from: within(q.from, 'from'), to: within(q.to, 'to'),
  };
}

export async function timed<T>(logger: Logger, what: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    const ms = performance.now() - started;
    if (ms > SLOW_READ_MS) logger.info({ what, ms: Math.round(ms) }, 'archive: slow read');
  }
}

/** Message ids for a batch read: strings only, at most MAX_LIMIT of them. */
export function checkIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.length > MAX_LIMIT) throw new BridgeError('VALIDATION_ERROR', `ids must be a list of at most ${MAX_LIMIT} message ids`);
  return ids.filter((id): id is string => typeof id === 'string' && id.length > 0);
}
