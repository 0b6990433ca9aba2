// "One bridge, whichever node you ask": a REST request or WebSocket command for a slot that
// another node owns is sent to that node (its advertised URL) with the cluster key and the
// caller, so the owner checks the caller's own scope. A forwarded request carries the hop header
// and is always handled where it lands: no loops. Owner unknown (no live lease) or this node:
// handled here, where a slot that is not ready answers 409 NOT_CONNECTED as on a single node.
import http from 'node:http';
import https from 'node:https';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Caller } from '../auth/scope.js';
import type { BridgeContext } from '../context.js';
import { BridgeError, type ErrorCode } from '../domain/index.js';
import { ERROR_STATUS } from '../domain/errors.js';
import type { ClientState } from '../ws/hub.js';
import { handleCommand } from '../ws/commands.js';
import { encodeForm, readMultipart } from '../http/upload.js';
import { CALLER_HEADER, CLUSTER_KEY_HEADER, encodeCaller, HOP_HEADER } from './cluster-key.js';
import type { ClusterDirectory, NodeEndpoint, SlotOwner } from './directory.js';

export interface ClusterRouting {
  nodeId: string;
  directory: ClusterDirectory;
  clusterKey: string;
  logger: Logger;
  /** One HTTP request to a slot's owner; a connection failure rejects with NOT_CONNECTED. */
  send(owner: SlotOwner, path: string, method: string, headers: http.OutgoingHttpHeaders, onResponse: (res: http.IncomingMessage) => void, body?: Buffer | Request): Promise<void>;
  /** Headers of a forwarded request: the cluster key, the caller, the hop. */
  headersFor(caller: Caller): http.OutgoingHttpHeaders;
  /** The cluster's nodes as phones reach them (refreshed every few seconds; hello frame, pairing). */
  nodes(): NodeEndpoint[];
  /** Read the node list now (after this node published its endpoint). */
  refresh(): Promise<void>;
  /** POST a JSON body to the owner as `caller`; its status and parsed answer (NOT_CONNECTED when unreadable). */
  callJson(owner: SlotOwner, path: string, caller: Caller, payload: unknown): Promise<{ status: number; retryAfter?: string; body: unknown }>;
  /** Send a WebSocket command to the slot's owner, or run it here (`local`). */
  command(caller: Caller, frame: Record<string, unknown>, local: () => Promise<unknown>): Promise<unknown>;
  close(): void;
}

/** Routes whose slot is in the JSON body / the query string; `/slots/:n/…` carry it in the path. */
const BODY_SLOT = new Set(['POST /send', 'POST /send-media', 'POST /send-poll', 'POST /connect', 'POST /disconnect', 'POST /mark-read', 'POST /test-connection']);
/** Routes that take a multipart upload (bridge/http/upload.ts). */
const UPLOAD_ROUTES = new Set(['POST /send-media']);
const QUERY_SLOT = new Set(['GET /chats', 'GET /messages', 'GET /avatar']);
/** WebSocket commands that act on one slot (the rest — ping, subscribe, register_fcm — are this node's). */
const SLOT_COMMANDS = new Set(['get_conversations', 'get_messages', 'send_message', 'send_media', 'mark_read', 'search_conversations']);
/** Internal route a node runs a forwarded WebSocket command on. */
export const WS_COMMAND_PATH = '/cluster/ws-command';
/** Response headers that belong to one connection, not to the answer. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);
const FORWARD_TIMEOUT_MS = 60_000;
const NODES_REFRESH_MS = 5000;

function slotNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*\d{1,4}\s*$/.test(v)) return Number(v);
  return null;
}

/** The slot a request acts on, when it is one the owner must serve; null = serve here. */
export function slotOfRequest(req: Request): number | null {
  const inPath = /^\/slots\/(\d{1,4})(?:\/|$)/.exec(req.path);
  if (inPath) return Number(inPath[1]);
  const route = `${req.method} ${req.path}`;
  // A multipart upload is read (readMultipart) before this is asked: its fields are in req.body too.
  if (BODY_SLOT.has(route)) return (req.is('application/json') || req.is('multipart/form-data')) && req.body && typeof req.body === 'object' ? slotNumber((req.body as { slot?: unknown }).slot) : null;
  if (QUERY_SLOT.has(route)) return slotNumber(req.query.slot);
  return null;
}

export function createRouting(opts: { nodeId: string; directory: ClusterDirectory; clusterKey: string; logger: Logger }): ClusterRouting {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  const log = opts.logger.child({ part: 'cluster-routing' });
  let known: NodeEndpoint[] = [];
  const refresh = () =>
    opts.directory.endpoints().then(
      (list) => void (known = list),
      (err: unknown) => log.warn({ err: (err as Error).message }, 'cluster: could not read the node list'),
    );
  const refreshTimer = setInterval(() => void refresh(), NODES_REFRESH_MS);
  refreshTimer.unref();

  const headersFor = (caller: Caller) => ({
    [CLUSTER_KEY_HEADER]: opts.clusterKey,
    [CALLER_HEADER]: encodeCaller(caller),
    [HOP_HEADER]: opts.nodeId,
  });

  /** Ask the owner; unreachable → NOT_CONNECTED (the slot is not usable from here right now). */
  function request(owner: SlotOwner, path: string, method: string, headers: http.OutgoingHttpHeaders, onResponse: (res: http.IncomingMessage) => void, body?: Buffer | Request): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = new URL(path, owner.url);
      const lib = url.protocol === 'https:' ? https : http;
      const agent = url.protocol === 'https:' ? httpsAgent : httpAgent;
      const up = lib.request(url, { method, headers, agent, timeout: FORWARD_TIMEOUT_MS }, (res) => {
        onResponse(res);
        res.on('end', () => resolve());
        res.on('error', reject);
      });
      up.on('timeout', () => up.destroy(new Error('no answer in time')));
      up.on('error', (err) => {
        log.warn({ slot: owner.slot, owner: owner.node, err: err.message }, 'cluster: the owner of a slot did not answer a forwarded request');
        reject(new BridgeError('NOT_CONNECTED', `slot ${owner.slot} is run by node ${owner.node}, which did not answer (${err.message})`));
      });
      if (body === undefined) up.end();
      else if (Buffer.isBuffer(body)) up.end(body);
      else body.pipe(up);
    });
  }

  async function callJson(owner: SlotOwner, path: string, caller: Caller, payload: unknown) {
    const body = Buffer.from(JSON.stringify(payload));
    let status = 0;
    let retryAfter: string | undefined;
    const chunks: Buffer[] = [];
    await request(owner, path, 'POST', { ...headersFor(caller), 'content-type': 'application/json', 'content-length': body.length }, (res) => {
      status = res.statusCode ?? 0;
      retryAfter = res.headers['retry-after'] as string | undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
    }, body);
    try {
      return { status, ...(retryAfter !== undefined ? { retryAfter } : {}), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
    } catch {
      throw new BridgeError('NOT_CONNECTED', `slot ${owner.slot}: node ${owner.node} answered ${status} without a readable body`);
    }
  }

  return {
    nodeId: opts.nodeId,
    callJson,
    directory: opts.directory,
    clusterKey: opts.clusterKey,
    logger: log,
    send: request,
    headersFor,
    nodes: () => known,
    refresh,
    async command(caller, frame, local) {
      const slot = typeof frame.type === 'string' && SLOT_COMMANDS.has(frame.type) ? slotNumber(frame.slot) : null;
      const owner = slot === null ? null : await opts.directory.ownerOf(slot);
      if (!owner || owner.node === opts.nodeId) return local();
      const answer = await callJson(owner, `/api${WS_COMMAND_PATH}`, caller, frame);
      const status = answer.status;
      const retryAfter = answer.retryAfter;
      const reply = (answer.body ?? {}) as { success?: boolean; data?: unknown; error?: { code?: string; message?: string } };
      if (reply.success) return reply.data;
      const code = (reply.error?.code && reply.error.code in ERROR_STATUS ? reply.error.code : 'INTERNAL') as ErrorCode;
      throw new BridgeError(code, reply.error?.message ?? `node ${owner.node} answered ${status}`, retryAfter ? { retryAfter: Number(retryAfter) } : {});
    },
    close() {
      clearInterval(refreshTimer);
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };

}

/** REST forwarding and the internal WebSocket-command route, mounted under /api after auth and the JSON parser. */
export function forwardRoutes(ctx: BridgeContext, routing: ClusterRouting): Router {
  const r = Router();

  r.post(WS_COMMAND_PATH, async (req, res) => {
    if (res.locals.forwarded !== true) throw new BridgeError('FORBIDDEN', 'only other nodes of the cluster may call this (with the cluster key)');
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new BridgeError('VALIDATION_ERROR', 'body: a WebSocket command frame (JSON object)');
    const client: ClientState = { caller: res.locals.caller as Caller, slots: null, installationId: null, adminApp: false };
    res.json({ success: true, data: await handleCommand(ctx, client, req.body as Record<string, unknown>) });
  });

  // An upload names its slot in a form field: read the form first (once; the send route reuses it).
  r.use((req: Request, res: Response, next: NextFunction) => {
    if (!UPLOAD_ROUTES.has(`${req.method} ${req.path}`) || !req.is('multipart/form-data')) return next();
    readMultipart(req, res, next);
  });

  r.use((req: Request, res: Response, next: NextFunction) => {
    if (req.headers[HOP_HEADER] !== undefined) return next(); // forwarded once already: served here
    const slot = slotOfRequest(req);
    if (slot === null) return next();
    routing.directory.ownerOf(slot).then(
      (owner) => {
        if (!owner || owner.node === routing.nodeId) return next();
        proxy(req, res, owner).catch(next);
      },
      (err: unknown) => next(new BridgeError('STORE_UNAVAILABLE', `cannot tell which node runs slot ${slot}: ${(err as Error).message}`)),
    );
  });

  /** Pass the request to the owner as it came (JSON re-encoded, anything else streamed) and its answer back. */
  async function proxy(req: Request, res: Response, owner: SlotOwner): Promise<void> {
    const headers = routing.headersFor(res.locals.caller as Caller);
    for (const name of ['accept', 'accept-encoding', 'range', 'if-range', 'if-none-match', 'if-modified-since', 'content-type']) {
      const v = req.headers[name];
      if (v !== undefined) headers[name] = v;
    }
    let body: Buffer | Request | undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      if (req.is('application/json') && req.body !== undefined) {
        body = Buffer.from(JSON.stringify(req.body));
        headers['content-type'] = 'application/json';
        headers['content-length'] = body.length;
      } else if (req.is('multipart/form-data') && req.body && typeof req.body === 'object') {
        // Read here to find the slot: written again as a form (the owner reads it as any upload).
        const form = await encodeForm(req);
        body = form.body;
        headers['content-type'] = form.contentType;
        headers['content-length'] = body.length;
      } else {
        body = req; // not read here (e.g. multipart): streamed through
        if (req.headers['content-length']) headers['content-length'] = req.headers['content-length'];
      }
    }
    return routing.send(owner, req.originalUrl, req.method, headers, (upRes) => {
      res.status(upRes.statusCode ?? 502);
      for (const [name, value] of Object.entries(upRes.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
      }
      res.setHeader('x-wab-served-by', owner.node);
      upRes.pipe(res);
    }, body);
  }

  return r;
}
