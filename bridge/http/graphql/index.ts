// GraphQL at /graphql on the REST port, with REST's auth: graphql-js executes, graphql-http (the
// reference GraphQL-over-HTTP server) speaks the protocol — POST with JSON, GET for queries.
// Batches, oversized or over-deep documents and malformed bodies get a GraphQL error with
// `extensions.code`, never a 500. The SDL is served at /graphql/schema.graphql.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { buildSchema, parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema, type Source } from 'graphql';
import { createHandler, parseRequestParams, type Request as GraphqlRequest, type RequestParams, type Response as GraphqlResponse } from 'graphql-http';
import type { BridgeContext } from '../../context.js';
import { BridgeError } from '../../domain/index.js';
import { callerOf, requireAuth } from '../auth.js';
import { jsonBody } from '../body.js';
import { toBridgeError } from '../errors.js';
import { errorResponse, formatGraphqlError, graphqlCode } from './errors.js';
import { MAX_DOCUMENT_CHARS, MAX_TOKENS, operationLimits } from './limits.js';
import { rootValue, type GraphqlContext } from './resolvers.js';
import { SDL } from './sdl.js';

/** A GraphQL body holds a document and a few variables; 4096-character messages fit many times over. */
export const GRAPHQL_BODY_LIMIT = 256 * 1024;
const CACHE_SIZE = 500;

export const schema: GraphQLSchema = buildSchema(SDL);

type RawRequest = GraphqlRequest<Request, GraphqlContext>;

/**
 * Clients send the same few documents again and again: keep their parsed and validated form
 * (the schema and rules never change while the bridge runs).
 */
function documentCache() {
  const parsed = new Map<string, DocumentNode>();
  const valid = new WeakSet<DocumentNode>();
  return {
    parse(source: string | Source): DocumentNode {
      if (typeof source !== 'string') return parse(source, { maxTokens: MAX_TOKENS });
      const hit = parsed.get(source);
      if (hit) return hit;
      const doc = parse(source, { maxTokens: MAX_TOKENS });
      if (parsed.size >= CACHE_SIZE) parsed.clear();
      parsed.set(source, doc);
      return doc;
    },
    validate(s: GraphQLSchema, doc: DocumentNode, rules: Parameters<typeof validate>[2]): readonly GraphQLError[] {
      if (valid.has(doc)) return [];
      const errors = validate(s, doc, rules);
      if (errors.length === 0) valid.add(doc);
      return errors;
    },
  };
}

const isResponse = (x: RequestParams | GraphqlResponse): x is GraphqlResponse => Array.isArray(x);

/** graphql-http's checks, plus ours: one operation per request, a bounded document. */
async function checkRequest(req: RawRequest): Promise<RequestParams | GraphqlResponse> {
  if (Array.isArray(req.raw.body)) throw new Error('batched requests are not supported: send one operation per request');
  const result = await parseRequestParams(req);
  if (isResponse(result)) {
    const [, init] = result;
    const message = init.status === 415 ? 'POST needs content-type: application/json' : `method ${req.method} is not allowed; use GET or POST`;
    const headers = { ...(init.headers as Record<string, string> | undefined), 'content-type': 'application/json; charset=utf-8' };
    return [JSON.stringify({ errors: [{ message, extensions: { code: 'VALIDATION_ERROR' } }] }), { status: init.status, statusText: init.statusText, headers }];
  }
  if (result.query.length > MAX_DOCUMENT_CHARS) throw new Error(`the document is over ${MAX_DOCUMENT_CHARS} characters`);
  return result;
}

export function graphqlRoutes(ctx: BridgeContext): Router {
  const cache = documentCache();
  const handle = createHandler<Request, GraphqlContext, GraphqlContext>({
    schema,
    rootValue,
    context: (req) => req.context,
    validationRules: [operationLimits],
    parse: cache.parse,
    validate: cache.validate,
    parseRequestParams: checkRequest,
    formatError: (err) => {
      const formatted = formatGraphqlError(err, (bug) => {
        ctx.logger.error({ err: bug }, 'graphql resolver failed');
        return 'internal error (logged)';
      });
      ctx.metrics.errors.inc({ code: String(formatted.extensions.code), transport: 'graphql' });
      return formatted;
    },
  });

  const r = Router();
  // In cluster mode another node may forward a mutation here, under the cluster key (graphql/forward.ts).
  r.use('/graphql', requireAuth(ctx.tokens, ctx.config.cluster ? { key: ctx.config.clusterKey } : undefined));
  r.get('/graphql/schema.graphql', (_req, res) => void res.type('text/plain').send(SDL.trimStart()));
  r.all(
    '/graphql',
    jsonBody(GRAPHQL_BODY_LIMIT),
    async (req: Request, res: Response) => {
      const context: GraphqlContext = { ctx, caller: callerOf(res), ip: req.ip ?? null, forwarded: res.locals.forwarded === true };
      const [body, init] = await handle({ url: req.originalUrl, method: req.method, headers: req.headers, body: () => req.body, raw: req, context });
      res.writeHead(init?.status ?? 200, init?.headers as Record<string, string> | undefined).end(body ?? undefined);
    },
  );
  return r;
}

/** Refusals on /graphql before GraphQL runs (network, token, body) as GraphQL errors. */
export function graphqlErrorHandler(bodyLimit: number, onBug: (err: unknown, req: Request, res: Response) => void, count: (code: string) => void) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const error = toBridgeError(err, bodyLimit);
    count(graphqlCode(error.code));
    if (error.code === 'INTERNAL') onBug(err, req, res);
    const shown = error.code === 'INTERNAL' ? new BridgeError('INTERNAL', `internal error (request ${res.locals.requestId})`) : error;
    res.status(error.status).json(errorResponse(shown));
  };
}
