// The chats of a slot as the archive knows them: one row per chat with its last activity, its
// last message and the contact's name as last seen on an incoming message. Used to read a
// stopped number's history (nothing live is known then: no unread counts, no mute).
import type { ChatRow } from '../domain/index.js';

/** At most this many chats are read per slot (far beyond any shop's address book). */
export const MAX_ARCHIVED_CHATS = 100_000;

/**
 * One row per chat of a slot (parameters: slot, slot, slot, limit); the same SQL runs on SQLite
 * and MySQL/MariaDB. The last message is the chat's highest sequence (arrival order breaks ties).
 */
export const CHAT_LIST_SQL = `
  SELECT c.chat_id AS chatId, c.ts AS ts, l.body AS body, l.caption AS caption, l.filename AS filename, l.type AS type,
    (SELECT n.sender_name FROM messages n WHERE n.slot = ? AND n.chat_id = c.chat_id AND n.from_me = 0
      ORDER BY n.seq DESC, n.pk DESC LIMIT 1) AS name
  FROM (
    SELECT g.chat_id AS chat_id, MAX(g.timestamp) AS ts,
      (SELECT x.pk FROM messages x WHERE x.slot = g.slot AND x.chat_id = g.chat_id ORDER BY x.seq DESC, x.pk DESC LIMIT 1) AS last_pk
    FROM messages g WHERE g.slot = ? GROUP BY g.slot, g.chat_id
  ) c JOIN messages l ON l.pk = c.last_pk AND l.slot = ?
  LIMIT ?`;

export interface ChatListDbRow {
  chatId: string;
  ts: number | string;
  body: string | null;
  caption: string | null;
  filename: string | null;
  type: string | null;
  name: string | null;
}

/** The API's chat row for an archived chat. */
export function archivedChatRow(r: ChatListDbRow): ChatRow {
  const chatId = String(r.chatId);
  const isGroup = chatId.endsWith('@g.us');
  return {
    chatId,
    // In groups the sender is a member, not the group: leave the name to the number.
    name: (!isGroup && r.name) || '',
    isGroup,
    unreadCount: 0,
    timestamp: Number(r.ts) || 0,
    lastMessage: r.body || r.caption || r.filename || null,
    isMuted: false,
    muteExpiration: 0,
  };
}
