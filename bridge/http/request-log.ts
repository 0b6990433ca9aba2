// One log line per request (method, route, status, ms, request id) and the latency metric.
// Never the body, never a token (query strings are dropped: the WS token may ride there).
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';

export function requestLog(logger: Logger, metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const requestId = crypto.randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      metrics.httpLatency.observe({ method: req.method, route, status: String(res.statusCode) }, ms / 1000);
      // Routes that mark themselves quiet (node-to-node pokes, one per event) log at debug.
      logger[res.locals.quietLog === true ? 'debug' : 'info']({ requestId, method: req.method, route, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
