// The GraphQL schema of WA Bridge, as SDL. It is compiled into the bridge (so the installed app
// carries it) and served as text at GET /graphql/schema.graphql. The first five operations are
// seed 001's, spelled exactly as the seed writes them; the rest is the richer API for new clients.
export const SDL = /* GraphQL */ `
"""
WA Bridge over GraphQL. Authenticate as for REST: header \`apikey: <token>\` or
\`Authorization: Bearer <token>\`. Every \`slot\` argument is optional where shown; without it the
token's default slot is used (a device token's first allowed slot; the admin token's
WA_BRIDGE_DEFAULT_SLOT, default 1).
"""
schema {
  query: Query
  mutation: Mutation
}

type Query {
  "Connection status of a slot, with its QR while one waits to be scanned (seed 001)."
  whatsAppStatus(slot: Int): WhatsAppStatus!

  "Every slot this token may see, in order."
  slots: [Slot!]!

  "One slot."
  slot(slot: Int): Slot!

  "Where a sent message is (ack), by its WhatsApp id; null when the archive does not know it (yet)."
  messageStatus(messageId: String!, slot: Int): MessageStatus

  "A message kept in the durable outbox (queued while its slot reconnected), by outbox id."
  outboxMessage(outboxId: String!): OutboxMessage
}

type Mutation {
  "Start the slot's WhatsApp session; a QR follows unless the slot is already linked (seed 001)."
  whatsAppConnect(slot: Int): Boolean!

  "Stop the slot's browser. With logout: true also end the WhatsApp session, so the next connect shows a fresh QR (seed 001)."
  whatsAppDisconnect(slot: Int, logout: Boolean = false): Boolean!

  "Send a text; true when sent, or queued while the slot reconnects (seed 001)."
  sendWhatsAppNotification(phoneNumber: String!, message: String!, slot: Int): Boolean!

  "Send a short, labelled test text; true once WhatsApp's server accepted it (one grey tick) within 15 s (seed 001)."
  testWhatsAppConnection(phoneNumber: String!, slot: Int): Boolean!

  "Send a text and get its message id (or, while the slot reconnects, its outbox id)."
  sendText(input: SendTextInput!): SendTextResult!
}

"Seed 001's status shape, plus the slot and its state."
type WhatsAppStatus {
  connected: Boolean!
  "The QR to scan as a PNG, base64 without a data-URL prefix; null when connected or no QR is waiting."
  qrCode: String
  "The same QR as an SVG data URL (data:image/svg+xml;base64,…); null when connected or no QR is waiting."
  qrCodeSvg: String
  "Unix seconds when the QR is replaced by the next one."
  qrExpiresAt: Int
  slot: Int!
  state: SlotState!
}

enum SlotState {
  STOPPED
  STARTING
  QR
  AUTHENTICATED
  READY
  RECONNECTING
  FAILED
}

type Slot {
  slot: Int!
  state: SlotState!
  "Logged in and usable."
  connected: Boolean!
  "A browser is running or starting for it."
  active: Boolean!
  "A QR is waiting to be scanned."
  hasQr: Boolean!
  "The account's own number, once linked."
  phone: String
  name: String
  "Unix seconds of the last state change."
  since: Int!
  "Seconds since the slot became READY; null when it is not."
  sessionSeconds: Int
  lastError: String
  "Messages of this slot waiting in the outbox."
  queued: Int!
}

input SendTextInput {
  slot: Int
  "International number with country code; +, spaces and dashes are ignored. Give this or chatId."
  phoneNumber: String
  "A chat id (…@c.us or a group's …@g.us). Give this or phoneNumber."
  chatId: String
  "At most 4096 characters."
  message: String!
  quotedMessageId: String
  "A retry with the same key on the same slot within 24 h returns the first result and sends nothing again."
  idempotencyKey: String
  "Keep the message in the outbox while the slot reconnects (default true); false answers NOT_CONNECTED instead."
  queue: Boolean
}

type SendTextResult {
  "WhatsApp's serialized id; null when queued."
  messageId: String
  queued: Boolean!
  "Set when queued: follow it with outboxMessage."
  outboxId: String
}

enum Delivery {
  FAILED
  PENDING
  SENT
  DELIVERED
  READ
  PLAYED
}

type MessageStatus {
  messageId: String!
  chatId: String!
  slot: Int!
  "0 failed, 1 pending (clock), 2 sent (one grey tick), 3 delivered, 4 read, 5 played."
  ack: Int!
  delivery: Delivery!
  fromMe: Boolean!
  "Unix seconds."
  timestamp: Int!
}

enum OutboxStatus {
  PENDING
  SENDING
  SENT
  FAILED
}

type OutboxMessage {
  outboxId: String!
  slot: Int!
  status: OutboxStatus!
  "Set once sent."
  messageId: String
  "Set when it failed."
  error: String
  "True when it failed because its send was interrupted on a cluster node that went away: WhatsApp may already have it, so check the chat before sending it again."
  unconfirmed: Boolean!
}
`;
