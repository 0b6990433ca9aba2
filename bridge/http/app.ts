// The express app: network check, request log, CORS, body limit, auth, routes, the admin UI
// (dist/renderer, with SPA fallback) and the error envelope.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../domain/index.js';
import { adminOnly, requireAuth } from './auth.js';
import { forwardRoutes } from '../cluster/forward.js';
import { pokeRoute } from '../cluster/poke.js';
import { jsonBody } from './body.js';
import { largeBodyGate } from './body-gate.js';
import { errorHandler, notFound } from './errors.js';
import { graphqlErrorHandler, graphqlRoutes } from './graphql/index.js';
import type { AddressCheck } from '../access/network.js';
import { openApiDocument } from './openapi.js';
import { precompressed, staticCacheHeaders } from './precompressed.js';
import { requestLog } from './request-log.js';
import { adminRoutes } from './routes/admin.js';
import { archiveRoutes } from './routes/archive.js';
import { chatRoutes } from './routes/chats.js';
import { deviceRoutes } from './routes/devices.js';
import { healthRoutes, metricsRoute } from './routes/health.js';
import { mediaRoutes } from './routes/media.js';
import { sendRoutes } from './routes/send.js';
import { slotRoutes } from './routes/slots.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { backupRoutes } from './routes/backup.js';
import { clusterRoutes } from './routes/cluster.js';
import { sessionRoutes } from './routes/session.js';
import { outboxRoutes } from './routes/outbox.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// bridge/http under tsx, dist/bridge/http once compiled: both sit two folders below their root.
const projectRoot = path.resolve(here, '..', '..', ...(path.basename(path.resolve(here, '..', '..')) === 'dist' ? ['..'] : []));
/** The built admin app; the desktop shell and tests may point elsewhere. */
export const DEFAULT_RENDERER_DIR = path.join(projectRoot, 'dist', 'renderer');

function cors(origins: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin && origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Headers', 'apikey, authorization, content-type');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
      if (req.method === 'OPTIONS') return void res.status(204).end();
    }
    next();
  };
}

function serveRenderer(dir: string) {
  const r = express.Router();
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    r.get('/', (_req, res) => {
      res.type('text/plain').send('WA Bridge is running. The admin app is not built: run `npm run build:renderer`.');
    });
    return r;
  }
  r.use(precompressed(dir));
  r.use(express.static(dir, { index: 'index.html', cacheControl: false, setHeaders: (res, file) => staticCacheHeaders(res, file, dir) }));
  // SPA fallback: any other GET that accepts HTML gets the app shell (a missing asset stays a 404).
  r.get(/^\/(?!api\/|api$|ws$|metrics$|healthz$|assets\/).*/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(dir, 'index.html'));
  });
  return r;
}

export function createApp(ctx: BridgeContext, opts: { allowAddress: AddressCheck; boundPort: () => number; boundHttpsPort?: () => number | null; rendererDir?: string }) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // API replies are live data; hashing each body buys nothing
  app.set('trust proxy', false);
  app.set('query parser', 'simple');

  // Logged first, so refused requests (403 from the allow-list) leave a line too.
  app.use(requestLog(ctx.logger, ctx.metrics));
  app.use((req, _res, next) => {
    if (!opts.allowAddress(req.socket.remoteAddress)) {
      ctx.logger.warn({ address: req.socket.remoteAddress, method: req.method, path: req.path }, 'refused: address not in the allowed networks');
      return next(new BridgeError('FORBIDDEN', 'your network address is not allowed to use this bridge'));
    }
    next();
  });
  app.use(cors(ctx.config.corsOrigins));

  app.get('/healthz', (_req, res) => void res.type('text/plain').send('ok'));

  // Who is asking comes before reading what they send: no body is parsed without a valid token.
  const auth = requireAuth(ctx.tokens, ctx.config.cluster ? { key: ctx.config.clusterKey } : undefined, ctx.sessions);
  if (ctx.sessions) app.use('/api', sessionRoutes(ctx, ctx.sessions)); // sign-in comes before auth
  if (ctx.pokeEvents) app.use(pokeRoute(ctx.config.clusterKey, ctx.pokeEvents)); // checks the cluster key itself
  app.use('/api', auth);
  app.use('/api', largeBodyGate({ max: ctx.config.largeBodies, onWaiting: (n) => ctx.metrics.bodiesWaiting.set(n) }));
  app.use('/api', jsonBody(ctx.config.bodyLimitBytes));
  if (ctx.routing) app.use('/api', forwardRoutes(ctx, ctx.routing));
  app.get('/api/openapi.json', (_req, res) => void res.json(openApiDocument(process.env.npm_package_version ?? '0.1.0')));
  app.use('/metrics', auth);
  app.use(metricsRoute(ctx));
  app.use('/api', slotRoutes(ctx), sendRoutes(ctx), chatRoutes(ctx), mediaRoutes(ctx), archiveRoutes(ctx), healthRoutes(ctx));
  app.use(['/api/devices', '/api/audit', '/api/settings', '/api/logs', '/api/pairing', '/api/restart', '/api/outbox'], adminOnly);
  app.use('/api', deviceRoutes(ctx), adminRoutes(ctx, opts.boundPort, opts.boundHttpsPort), snapshotRoutes(ctx), backupRoutes(ctx), clusterRoutes(ctx), outboxRoutes(ctx));
  app.use(graphqlRoutes(ctx));
  app.use(serveRenderer(opts.rendererDir ?? DEFAULT_RENDERER_DIR));

  app.use(notFound);
  app.use(
    '/graphql',
    graphqlErrorHandler(ctx.config.bodyLimitBytes, (err, req, res) => ctx.logger.error({ err, requestId: res.locals.requestId, path: req.path }, 'graphql request failed'), (code) =>
      ctx.metrics.errors.inc({ code, transport: 'graphql' }),
    ),
  );
  app.use(errorHandler(ctx.config.bodyLimitBytes, ctx.logger, (code) => ctx.metrics.errors.inc({ code, transport: 'rest' })));
  return app;
}
