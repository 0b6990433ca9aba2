// The session-store HTTP service (seed 003's session-manager shape): stores and returns opaque
// session files under `/<group>/<name>` keys. Every route needs the `apikey` header; bodies are
// JSON `{"data": "<string>"}` up to BODY_SIZE. Imports nothing else of the bridge.
//
//   POST   /<group>/<name>   {"data": "…"}  store (atomic replace)   → {"success":true,"bytes":n}
//   GET    /<group>/<name>                  fetch                    → {"success":true,"data":"…"}
//   DELETE /<group>/<name>                  delete                   → {"success":true}
//   GET    /<group>                         list                     → {"success":true,"keys":[{name,bytes,updatedAt}]}
//   GET    /                                service status           → {"success":true,"service":"wa-bridge-session-store"}
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { SessionStoreConfig } from './config.js';
import { SessionFiles, validPart } from './files.js';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
function tokenMatches(expected: Buffer, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(expected, createHash('sha256').update(given).digest());
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `body of ${declared} bytes is over the ${limit}-byte limit (BODY_SIZE)`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `body is over the ${limit}-byte limit (BODY_SIZE)`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseKey(url: string): string[] {
  const pathname = url.split('?')[0]!;
  if (pathname === '/') return [];
  const raw = pathname.replace(/^\//, '').split('/');
  if (raw.length > 2) throw new HttpError(400, 'INVALID_KEY', 'keys are /<group> or /<group>/<name>');
  return raw.map((part) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      throw new HttpError(400, 'INVALID_KEY', 'key is not valid URL encoding');
    }
    if (!validPart(decoded)) {
      throw new HttpError(400, 'INVALID_KEY', 'each key part must be 1-128 characters of A-Z a-z 0-9 . _ - and not start with a dot');
    }
    return decoded;
  });
}

export function createSessionStoreServer(config: SessionStoreConfig): http.Server {
  const files = new SessionFiles(config.dir);
  const expected = createHash('sha256').update(config.token).digest();

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!tokenMatches(expected, req.headers.apikey)) throw new HttpError(401, 'UNAUTHORIZED', 'missing or invalid apikey header');
    const key = parseKey(req.url ?? '/');
    const method = req.method ?? 'GET';
    if (key.length === 0) {
      if (method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} / is not supported`);
      return send(res, 200, { success: true, service: 'wa-bridge-session-store' });
    }
    const [group, name] = key as [string, string | undefined];
    if (name === undefined) {
      if (method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} /<group> is not supported`);
      return send(res, 200, { success: true, group, keys: await files.list(group) });
    }
    switch (method) {
      case 'POST': {
        const body = await readBody(req, config.bodyLimitBytes);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          throw new HttpError(400, 'VALIDATION_ERROR', 'body must be JSON {"data": "<string>"}');
        }
        const data = (parsed as { data?: unknown } | null)?.data;
        if (typeof data !== 'string') throw new HttpError(400, 'VALIDATION_ERROR', 'body must be JSON {"data": "<string>"}');
        await files.write(group, name, data);
        return send(res, 200, { success: true, bytes: Buffer.byteLength(data) });
      }
      case 'GET': {
        const data = await files.read(group, name);
        if (data === null) throw new HttpError(404, 'NOT_FOUND', `no session file ${group}/${name}`);
        return send(res, 200, { success: true, data });
      }
      case 'DELETE':
        if (!(await files.remove(group, name))) throw new HttpError(404, 'NOT_FOUND', `no session file ${group}/${name}`);
        return send(res, 200, { success: true });
      default:
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not supported`);
    }
  }

  return http.createServer((req, res) => {
    const started = performance.now();
    if (config.httpLogs) {
      res.on('finish', () => console.log(`${new Date().toISOString()} ${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode} ${Math.round(performance.now() - started)}ms`));
    }
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) {
        // A refused body is not read to the end: close the connection instead of draining it.
        if (err.status === 413 || err.status === 401) res.setHeader('connection', 'close');
        return send(res, err.status, { success: false, error: { code: err.code, message: err.message } });
      }
      console.error(`session-store: request failed: ${(err as Error).message}`);
      send(res, 500, { success: false, error: { code: 'INTERNAL', message: 'internal error' } });
    });
  });
}
