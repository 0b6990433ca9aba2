// The confirmer on its own, with doubles for the ledger and the archive: replay at start, and
// "archived" marked only after a flush that left nothing failed or spooled.
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ArchiveStore } from '../archive/types.js';
import type { ArchivedMessage } from '../domain/index.js';
import { ArchiveConfirmer } from './archive-confirmer.js';
import type { LedgerPort } from './sent-ledger.js';

const message = (id: string) => ({ id, chatId: '1@c.us', body: id }) as unknown as ArchivedMessage;

function doubles(opts: { rows?: { slot: number; message: ArchivedMessage }[]; ok?: boolean; flush?: () => Promise<void> } = {}) {
  const ledger = { unarchived: vi.fn(async () => opts.rows ?? []), markArchived: vi.fn(async () => undefined) } as unknown as LedgerPort & {
    unarchived: ReturnType<typeof vi.fn>;
    markArchived: ReturnType<typeof vi.fn>;
  };
  const archive = {
    saveMessage: vi.fn(),
    flush: vi.fn(opts.flush ?? (async () => undefined)),
    health: vi.fn(() => ({ ok: opts.ok ?? true, backend: 'sqlite' })),
  } as unknown as ArchiveStore & { saveMessage: ReturnType<typeof vi.fn>; flush: ReturnType<typeof vi.fn> };
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  return { ledger, archive, logger, lines };
}

let confirmer: ArchiveConfirmer | null = null;
afterEach(() => {
  confirmer?.close();
  confirmer = null;
  vi.useRealTimers();
});

describe('ArchiveConfirmer', () => {
  it('replays every unarchived sent message into the archive and says how many', async () => {
    const d = doubles({ rows: [{ slot: 1, message: message('a') }, { slot: 2, message: message('b') }] });
    confirmer = new ArchiveConfirmer(d.ledger, d.archive, d.logger);
    await confirmer.replay();
    expect(d.archive.saveMessage.mock.calls).toEqual([[1, message('a')], [2, message('b')]]);
    expect(d.lines.map((l) => l.msg)).toEqual(['archive: sent messages not confirmed as archived were written again']);
    expect(d.lines[0]).toMatchObject({ messages: 2 });
  });

  it('replays nothing and logs nothing when the ledger has nothing unarchived', async () => {
    const d = doubles();
    confirmer = new ArchiveConfirmer(d.ledger, d.archive, d.logger);
    await confirmer.replay();
    expect(d.archive.saveMessage).not.toHaveBeenCalled();
    expect(d.lines).toEqual([]);
  });

  it('marks archived only what was recorded before a flush that left the archive healthy', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const d = doubles();
    confirmer = new ArchiveConfirmer(d.ledger, d.archive, d.logger);
    await confirmer.confirm();
    expect(d.archive.flush).toHaveBeenCalledTimes(1);
    expect(d.ledger.markArchived).toHaveBeenCalledWith(1_000_000);
  });

  it('marks nothing while the archive holds failed or spooled writes', async () => {
    const d = doubles({ ok: false });
    confirmer = new ArchiveConfirmer(d.ledger, d.archive, d.logger);
    await confirmer.confirm();
    expect(d.ledger.markArchived).not.toHaveBeenCalled();
  });

  it('a failing flush is logged as a warning, marks nothing, and does not block the next round', async () => {
    let fail = true;
    const d = doubles({ flush: async () => { if (fail) throw new Error('disk full'); } });
    confirmer = new ArchiveConfirmer(d.ledger, d.archive, d.logger);
    await confirmer.confirm();
    expect(d.ledger.markArchived).not.toHaveBeenCalled();
    expect(d.lines).toEqual([expect.objectContaining({ level: 40, err: 'disk full', msg: 'archive: could not confirm sent messages as archived' })]);
    fail = false;
    await confirmer.confirm();
    expect(d.ledger.markArchived).toHaveBeenCalledTimes(1);
  });

  it('one round at a time: a round started while another flushes does nothing', async () => {
    let release!: () => void;
    const d = doubles({ flush: () => new Promise<void>((r) => (release = r)) });
    confirmer = new ArchiveConfirmer(d.ledger, d.archive, d.logger);
    const first = confirmer.confirm();
    await confirmer.confirm();
    expect(d.archive.flush).toHaveBeenCalledTimes(1);
    release();
    await first;
    expect(d.ledger.markArchived).toHaveBeenCalledTimes(1);
  });

  it('confirms on its own every period until closed', async () => {
    vi.useFakeTimers();
    const d = doubles();
    confirmer = new ArchiveConfirmer(d.ledger, d.archive, d.logger, 1000);
    await vi.advanceTimersByTimeAsync(999);
    expect(d.archive.flush).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(d.archive.flush).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(d.archive.flush).toHaveBeenCalledTimes(3);
    confirmer.close();
    await vi.advanceTimersByTimeAsync(5000);
    expect(d.archive.flush).toHaveBeenCalledTimes(3);
  });
});
