// The bridge as the headless entry, the tests and the desktop shell see it.
import type { Server } from 'node:http';
import type { ChatRow, MediaInfo, MessageRow, SlotState } from './domain/index.js';

/** What the WebSocket broadcasts (API.md), as local listeners (the desktop shell) receive it. */
export type BridgeEvent =
  | { type: 'status'; slot: number; ready: boolean; state: SlotState }
  | { type: 'qr'; slot: number; qr: string }
  | {
      type: 'new_message';
      slot: number;
      message: MessageRow & { chatId: string; media?: MediaInfo };
      /** Local listeners only: the chat as known when the message arrived (for mute-aware notifications). */
      chat?: Pick<ChatRow, 'name' | 'isGroup' | 'isMuted' | 'muteExpiration'> | null;
    }
  | { type: 'message_ack'; slot: number; chatId: string; messageId: string; ack: number }
  | { type: 'poll_vote'; slot: number; chatId: string; messageId: string; voter: string; selectedOptions: string[]; timestamp: number }
  /** A message's media was stored (downloadable now) or found expired on WhatsApp. */
  | { type: 'message_media'; slot: number; chatId: string | null; messageId: string; media: MediaInfo }
  | { type: 'outbox_sent'; slot: number; outboxId: string; messageId: string }
  | { type: 'outbox_failed'; slot: number; outboxId: string; error: string; unconfirmed?: true };

export interface Bridge {
  /** Open the stores, listen, restore slots that were connected. */
  start(): Promise<void>;
  /** Graceful: stop accepting, close sockets, stop slots, flush the archive. Idempotent. */
  stop(): Promise<void>;
  readonly server: Server;
  /** The bound port (after start). */
  readonly port: number;
  /** http://127.0.0.1:<port> (after start). */
  readonly url: string;
  /** The HTTPS/WSS port served to the LAN (after start). */
  readonly httpsPort: number | null;
  readonly adminToken: string;
  /** Every broadcast, for in-process listeners. Returns an unsubscribe function. */
  onEvent(listener: (event: BridgeEvent) => void): () => void;
}
