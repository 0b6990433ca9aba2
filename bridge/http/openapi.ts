// The OpenAPI 3 document of the REST API, with request bodies generated from the same zod
// schemas the routes validate with, so the document cannot drift from the code.
import { z } from 'zod';
import * as s from '../api/schemas.js';
import { ERROR_STATUS } from '../domain/index.js';

const json = (schema: z.ZodType) => ({ 'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) } });
const ok = (description: string) => ({ 200: { description } });
const errors = { default: { description: 'Error envelope', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } };
const q = (name: string, required: boolean, description: string) => ({ name, in: 'query', required, description, schema: { type: 'string' } });

type Op = { summary: string; requestBody?: unknown; parameters?: unknown[]; responses: Record<string, unknown>; security?: unknown[] };
const op = (summary: string, rest: Partial<Op> = {}): Op => ({ summary, responses: { ...ok('Success'), ...errors }, ...rest });
const body = (summary: string, schema: z.ZodType, extra: Record<string, unknown> = {}) =>
  op(summary, { requestBody: { required: true, content: json(schema) }, responses: { ...ok('Success'), ...extra, ...errors } });

const queued = {
  202: { description: 'Kept in the durable outbox: the slot is reconnecting (unless queue: false), or queue: true and the slot is not ready' },
  403: { description: 'FORBIDDEN: the device token may not send on this slot' },
};
const graphqlBody = {
  type: 'object',
  required: ['query'],
  properties: { query: { type: 'string' }, variables: { type: 'object' }, operationName: { type: 'string' } },
};

export function openApiDocument(version: string) {
  return {
    openapi: '3.0.3',
    info: { title: 'WA Bridge', version, description: 'REST API of WA Bridge; real-time events are on the WebSocket at /ws.' },
    components: {
      securitySchemes: {
        apikey: { type: 'apiKey', in: 'header', name: 'apikey' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            success: { type: 'boolean', enum: [false] },
            error: { type: 'object', properties: { code: { type: 'string', enum: Object.keys(ERROR_STATUS) }, message: { type: 'string' } } },
          },
        },
      },
    },
    security: [{ apikey: [] }, { bearer: [] }],
    paths: {
      '/healthz': { get: op('Liveness probe (no token)', { security: [] }) },
      '/metrics': { get: op('Prometheus metrics') },
      '/api/connect': { post: body('Start a slot', s.slotBody) },
      '/api/disconnect': { post: body('Stop a slot (logout: true also ends the session)', s.disconnectBody) },
      '/api/slots': { get: op('All slots: slot, active, ready, hasQrCache, …') },
      '/api/slots/{slot}/qr': {
        get: op('The current QR of a slot', { parameters: [{ name: 'slot', in: 'path', required: true, schema: { type: 'integer' } }] }),
      },
      '/api/slots/{slot}/snapshot': {
        post: op('Take an encrypted session snapshot of a READY slot now (admin)', { parameters: [{ name: 'slot', in: 'path', required: true, schema: { type: 'integer' } }] }),
      },
      '/api/slots/{slot}/snapshots': {
        get: op('The slot’s stored snapshots, newest first: id, createdAt, bytes, wid, reason, store (admin)', {
          parameters: [{ name: 'slot', in: 'path', required: true, schema: { type: 'integer' } }],
        }),
      },
      '/api/slots/{slot}/restore': {
        post: op('Restore the newest valid (or the given) snapshot into the slot’s profile; a running slot is restarted (admin)', {
          parameters: [{ name: 'slot', in: 'path', required: true, schema: { type: 'integer' } }],
          requestBody: { required: false, content: json(s.restoreBody) },
        }),
      },
      '/api/backup': {
        post: op('Download a whole-bridge backup encrypted with {"passphrase"} (admin); READY slots are snapshotted first', {
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { passphrase: { type: 'string', minLength: 8 } }, required: ['passphrase'] } } } },
        }),
      },
      '/api/backup/inspect': {
        post: op('What an uploaded backup holds (multipart "file" + "passphrase"), nothing applied; answers a restoreId kept 15 minutes (admin). 400 wrong passphrase / damaged / not a backup, 413 over WA_BRIDGE_BACKUP_MAX_MB', {
          requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' }, passphrase: { type: 'string', minLength: 8 } }, required: ['file', 'passphrase'] } } } },
        }),
      },
      '/api/backup/restore': {
        post: op('Apply an inspected backup {"restoreId"}: snapshots and settings now, state database and SQLite archive at the next start (admin)', {
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { restoreId: { type: 'string' } }, required: ['restoreId'] } } } },
        }),
      },
      '/api/cluster/health': {
        get: op('Cluster mode: every node keyed by its id with gateway_status and role (or errors, code 1011, when silent), and who runs each slot. 404 without cluster mode'),
      },
      '/api/cluster/slots/{slot}/move': {
        post: op('Cluster mode: move a slot to another node {"node"}: snapshot, release, take over (admin). 202 moving, 200 already there, 404 unknown node', {
          parameters: [{ name: 'slot', in: 'path', required: true, schema: { type: 'integer' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { node: { type: 'string', maxLength: 64 } }, required: ['node'] } } } },
        }),
      },
      '/api/slots/{slot}/messages/{messageId}/media': {
        get: op('A message\'s media bytes (Range, ETag; ?thumb=1 a small WebP of an image). 202 + Retry-After while it downloads, 404 MEDIA_NOT_FOUND, 410 MEDIA_EXPIRED', {
          parameters: [
            { name: 'slot', in: 'path', required: true, schema: { type: 'integer' } },
            { name: 'messageId', in: 'path', required: true, schema: { type: 'string' } },
            q('thumb', false, '1 = thumbnail'),
          ],
        }),
      },
      '/api/send': { post: body('Send a text', s.sendTextBody, queued) },
      '/api/send-media': { post: body('Send an image, document, audio, voice note or video', s.sendMediaBody, queued) },
      '/api/send-poll': { post: body('Send a poll', s.sendPollBody, queued) },
      '/api/test-connection': { post: body('Send a short test message', s.testConnectionBody) },
      '/api/avatar': { get: op('Profile picture URL', { parameters: [q('slot', true, 'Slot'), q('phone', true, 'Phone')] }) },
      '/api/chats': { get: op('Live conversation list, newest first (paged by nextBefore → before)', { parameters: [q('slot', true, 'Slot'), q('limit', false, '1..500'), q('before', false, 'Cursor: the previous page\'s nextBefore'), q('q', false, 'Name or number contains')] }) },
      '/api/archive/chats': { get: op('Archived conversation list of a slot (also while it is stopped)', { parameters: [q('slot', true, 'Slot'), q('limit', false, '1..500'), q('before', false, 'Cursor: the previous page\'s nextBefore'), q('q', false, 'Name or number contains')] }) },
      '/api/messages': {
        get: op('Live messages of a chat', { parameters: [q('slot', true, 'Slot'), q('chatId', true, 'Chat'), q('limit', false, '1..500'), q('before', false, 'Message id')] }),
      },
      '/api/mark-read': { post: body('Mark a chat read', s.chatBody) },
      '/api/archive': {
        get: op('Archived messages of a chat, newest first', { parameters: [q('slot', true, 'Slot'), q('chatId', true, 'Chat'), q('limit', false, '1..500'), q('offset', false, '≥ 0')] }),
      },
      '/api/archive/search': {
        get: op('Full-text search (Arabic-aware)', { parameters: [q('slot', false, 'Slot (omit: all slots, admin only)'), q('query', true, 'Text'), q('limit', false, '1..500'), q('offset', false, '≥ 0'), q('order', false, 'relevance | newest'), q('chatId', false, 'Only this chat'), q('from', false, 'Unix seconds, inclusive'), q('to', false, 'Unix seconds, inclusive')] }),
      },
      '/api/poll-votes': { get: op('Votes of a poll', { parameters: [q('slot', true, 'Slot'), q('messageId', true, 'Poll message id')] }) },
      '/api/health': { get: op('Health of slots, archive and push') },
      '/api/tls': { get: op('The certificate fingerprint to pin, and the next one ahead of a renewal') },
      '/api/devices': {
        get: op('Paired devices (admin)'),
        post: body('Pair a device (admin); the token is shown once', s.deviceBody, { 201: { description: 'Created' } }),
      },
      '/api/session': {
        get: op('Is this browser signed in (session cookie)?', { security: [] }),
        post: op('Admin app sign-in: exchange a token ({"token":"…"}) for an HttpOnly, SameSite=Strict session cookie', {
          security: [],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['token'], properties: { token: { type: 'string' } } } } } },
        }),
        delete: op('Sign out: end the session on every node and clear the cookie (needs x-wab-csrf when signed in)', { security: [] }),
      },
      '/api/devices/{id}': { delete: op('Revoke a device (admin)', { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] }) },
      '/api/audit': { get: op('Admin actions, newest first (admin)', { parameters: [q('limit', false, '1..1000')] }) },
      '/api/outbox': {
        get: op('Queued messages not sent, newest first: outboxId, slot, chatId or phone, kind, preview, status, error, unconfirmed, createdAt (admin)', {
          parameters: [q('slot', false, '1..64'), q('status', false, 'pending | failed | unconfirmed'), q('limit', false, '1..200')],
        }),
      },
      '/api/outbox/{id}/retry': { post: op('Put a failed queued message back in the queue; its slot sends it when ready (admin)', { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] }) },
      '/api/outbox/{id}': { delete: op('Discard a pending or failed queued message (admin)', { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] }) },
      '/api/settings': { get: op('Settings (admin)'), put: op('Change settings (admin)') },
      '/api/settings/test-db': { post: op('Test a MySQL URL (admin)') },
      '/api/settings/firebase': { post: op('Upload the FCM service account (admin)') },
      '/api/logs': { get: op('Recent log lines (admin)') },
      '/api/pairing': { get: op('LAN addresses for pairing a phone (admin)') },
      '/api/restart': { post: op('Restart the bridge in place, when its starter can (admin)') },
      '/api/openapi.json': { get: op('This document') },
      '/graphql': {
        post: op('GraphQL (seed 001 operations and more; see /graphql/schema.graphql). One operation per request; errors carry extensions.code', {
          requestBody: { required: true, content: { 'application/json': { schema: graphqlBody } } },
        }),
        get: op('GraphQL queries as ?query=…&variables=… (mutations need POST)', { parameters: [q('query', true, 'GraphQL document'), q('variables', false, 'JSON object'), q('operationName', false, 'Operation')] }),
      },
      '/graphql/schema.graphql': { get: op('The GraphQL schema (SDL, text)') },
    },
  };
}
