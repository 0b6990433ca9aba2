// The archive seam: every message in and out, with acks, edits, revokes and poll votes, plus
// full-text search. Implementations: SQLite (default, file in the data dir) and MySQL/MariaDB.
// Both must pass the one contract suite (bridge/archive/contract.ts).
import type { Ack, ArchivedMessage, ChatRow, MediaRecord, MessageRow, PollVote } from '../domain/index.js';
import type { MigrationProgress } from './mysql-migrate.js';

export interface ArchiveRow extends MessageRow {
  slot: number;
  // Extras the archive keeps (optional, so other producers of rows need not set them).
  caption?: string | null;
  filename?: string | null;
  mimetype?: string | null;
  /** The sender's id in groups. */
  author?: string | null;
  /** A poll's option names, in order. */
  pollOptions?: string[] | null;
  /** Unix seconds of the last edit; null if never edited. */
  editedAt?: number | null;
  /** Unix seconds it was deleted for everyone; the archive keeps the text. */
  revokedAt?: number | null;
}

export interface SearchQuery {
  /** Omit to search every slot (the admin's cross-slot search). */
  slot?: number;
  /** Raw text as the user typed it; never reaches query syntax raw. */
  query: string;
  /** 1..500. */
  limit: number;
  offset?: number;
  /** `relevance` (default: best match first, then newest) or `newest` (newest first). */
  order?: SearchOrder;
  /** Only this chat's messages. */
  chatId?: string;
  /** Only messages from this unix second on (inclusive). */
  from?: number;
  /** Only messages up to this unix second (inclusive). */
  to?: number;
}

export type SearchOrder = 'relevance' | 'newest';

export interface ArchiveHealth {
  ok: boolean;
  backend: 'sqlite' | 'mysql';
  /** Set when the backend is unreachable or failing. */
  error?: string | null;
  /** Writes waiting in memory or in the local spool. */
  pending?: number;
  /** Writes lost because the memory and spool bounds for failed writes were both reached. */
  dropped?: number;
  /** Set while the schema is being upgraded (by this bridge or another one on the database). */
  status?: 'migrating';
  migration?: MigrationProgress;
  /** Of `pending`, the writes only in memory (the spool's disk refused them): lost on a kill -9. */
  heldInMemory?: number;
}

export interface PollTally {
  messageId: string;
  /** Latest choice of each voter. */
  votes: { voter: string; selectedOptions: string[]; timestamp: number }[];
}

export interface ArchiveStore {
  readonly backend: 'sqlite' | 'mysql';
  /** Open, run migrations. Must not throw just because a remote DB is down (see health). */
  init(): Promise<void>;
  /** Flush pending writes and close. */
  close(): Promise<void>;
  /** Write everything pending now. */
  flush(): Promise<void>;

  // Writes are queued and batched: they return at once and never throw for I/O problems.
  /** Idempotent on (slot, id): a message seen twice is stored once (later fields fill gaps). */
  saveMessage(slot: number, message: ArchivedMessage): void;
  /** Ack never goes backwards. */
  updateAck(slot: number, messageId: string, ack: Ack): void;
  saveEdit(slot: number, messageId: string, body: string): void;
  saveRevoke(slot: number, messageId: string): void;
  savePollVote(slot: number, vote: PollVote): void;
  /** Record what the media store knows of a message's media (replaces the earlier record). */
  saveMedia(slot: number, media: MediaRecord): void;

  /** A chat's messages, newest first by the bridge's sequence (`seq`), then by arrival. */
  listMessages(slot: number, chatId: string, limit: number, offset: number): Promise<ArchiveRow[]>;
  getMessage(slot: number, messageId: string): Promise<ArchiveRow | null>;
  /** Every chat of a slot the archive holds (any order; chat-pages.ts pages them). */
  listChats(slot: number): Promise<ChatRow[]>;
  /** The media records of these messages (at most 500 ids; messages without one are left out). */
  getMedia(slot: number, messageIds: string[]): Promise<MediaRecord[]>;
  /** Best matches first (bm25 / relevance), then newest. */
  search(query: SearchQuery): Promise<ArchiveRow[]>;
  getPollTally(slot: number, messageId: string): Promise<PollTally>;
  health(): ArchiveHealth;
}
