// GraphQL errors carry the API's codes in `extensions.code`: seed 001's (NOT_CONNECTED,
// RATE_LIMITED with `retryAfter` seconds, INVALID_NUMBER, SEND_FAILED, QR_EXPIRED) plus
// UNAUTHENTICATED, FORBIDDEN and VALIDATION_ERROR. Anything unforeseen is INTERNAL_SERVER_ERROR
// with the request id and no detail.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { BridgeError, type ErrorCode } from '../../domain/index.js';

/** Bridge codes that read differently in GraphQL; the rest keep their name. */
const RENAMED: Partial<Record<ErrorCode, string>> = {
  UNAUTHORIZED: 'UNAUTHENTICATED',
  INVALID_SLOT: 'VALIDATION_ERROR',
  PAYLOAD_TOO_LARGE: 'VALIDATION_ERROR',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

export function graphqlCode(code: ErrorCode): string {
  return RENAMED[code] ?? code;
}

function extensionsOf(error: BridgeError): Record<string, unknown> {
  return { code: graphqlCode(error.code), ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}) };
}

/**
 * Format any error leaving the GraphQL endpoint. `onInternal` logs a bug and returns the text the
 * client may see (with a request id).
 */
export function formatGraphqlError(err: Readonly<GraphQLError | Error>, onInternal: (err: unknown) => string): GraphQLError {
  if (!(err instanceof GraphQLError)) {
    // graphql-http's request checks (bad JSON, missing query, …) throw plain Errors.
    return new GraphQLError(err.message, { extensions: { code: 'VALIDATION_ERROR' } });
  }
  const original = err.originalError;
  const where = { nodes: err.nodes, source: err.source, positions: err.positions, path: err.path };
  if (original instanceof BridgeError) {
    const message = original.code === 'INTERNAL' ? onInternal(original) : original.message;
    return new GraphQLError(message, { ...where, extensions: extensionsOf(original) });
  }
  if (original && !(original instanceof GraphQLError)) {
    return new GraphQLError(onInternal(original), { ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }
  // Syntax, validation, limits and variable coercion errors.
  const code = typeof err.extensions?.code === 'string' ? err.extensions.code : 'VALIDATION_ERROR';
  return new GraphQLError(err.message, { ...where, extensions: { ...err.extensions, code } });
}

/** A whole response body of one error, for refusals before GraphQL runs (auth, network, body). */
export function errorResponse(error: BridgeError): { errors: GraphQLFormattedError[] } {
  return { errors: [{ message: error.message, extensions: extensionsOf(error) }] };
}
