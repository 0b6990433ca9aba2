// The express app: network check, request log, CORS, body limit, auth, routes, the admin UI
// (dist/renderer, with SPA fallback) and the error envelope.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../domain/index.js';
import { adminOnly, requireAuth } from './auth.js';
import { jsonBody } from './body.js';
import { largeBodyGate } from './body-gate.js';
import { errorHandler, notFound } from './errors.js';
import type { AddressCheck } from '../access/network.js';
import { openApiDocument } from './openapi.js';
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
  r.use(express.static(dir, { index: 'index.html', maxAge: '1h' }));
  // SPA fallback: any other GET that accepts HTML gets the app shell.
  r.get(/^\/(?!api\/|api$|ws$|metrics$|healthz$).*/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    res.sendFile(path.join(dir, 'index.html'));
  });
  return r;
}

export function createApp(ctx: BridgeContext, opts: { allowAddress: AddressCheck; boundPort: () => number; rendererDir?: string }) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // API replies are live data; hashing each body buys nothing
  app.set('trust proxy', false);
  app.set('query parser', 'simple');

  app.use((req, _res, next) => {
    if (!opts.allowAddress(req.socket.remoteAddress)) return next(new BridgeError('FORBIDDEN', 'your network address is not allowed to use this bridge'));
    next();
  });
  app.use(requestLog(ctx.logger, ctx.metrics));
  app.use(cors(ctx.config.corsOrigins));

  app.get('/healthz', (_req, res) => void res.type('text/plain').send('ok'));

  // Who is asking comes before reading what they send: no body is parsed without a valid token.
  const auth = requireAuth(ctx.tokens);
  app.use('/api', auth);
  app.use('/api', largeBodyGate({ max: ctx.config.largeBodies, onWaiting: (n) => ctx.metrics.bodiesWaiting.set(n) }));
  app.use('/api', jsonBody(ctx.config.bodyLimitBytes));
  app.get('/api/openapi.json', (_req, res) => void res.json(openApiDocument(process.env.npm_package_version ?? '0.1.0')));
  app.use('/metrics', auth);
  app.use(metricsRoute(ctx));
  app.use('/api', slotRoutes(ctx), sendRoutes(ctx), chatRoutes(ctx), mediaRoutes(ctx), archiveRoutes(ctx), healthRoutes(ctx));
  app.use(['/api/devices', '/api/audit', '/api/settings', '/api/logs', '/api/pairing'], adminOnly);
  app.use('/api', deviceRoutes(ctx), adminRoutes(ctx, opts.boundPort), snapshotRoutes(ctx));
  app.use(serveRenderer(opts.rendererDir ?? DEFAULT_RENDERER_DIR));

  app.use(notFound);
  app.use(errorHandler(ctx.config.bodyLimitBytes, ctx.logger));
  return app;
}
