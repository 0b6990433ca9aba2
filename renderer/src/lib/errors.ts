// Turn any failure into words for the owner: what went wrong and what to do next, by error code.
import { ApiError } from '../api/client.js';
import type { MessageKey, Translate } from '../i18n/i18n.js';

export interface Explained {
  code: string;
  title: string;
  next: string;
}

const KNOWN = new Set([
  'VALIDATION_ERROR', 'INVALID_SLOT', 'INVALID_NUMBER', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'NOT_CONNECTED', 'CONFLICT',
  'QR_EXPIRED', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'SEND_FAILED', 'INTERNAL', 'NETWORK', 'BAD_RESPONSE',
]);

export function explainError(err: unknown, t: Translate): Explained {
  const code = err instanceof ApiError && KNOWN.has(err.code) ? err.code : 'INTERNAL';
  const message = err instanceof Error ? err.message : String(err);
  const seconds = err instanceof ApiError && err.retryAfter ? err.retryAfter : 60;
  return {
    code,
    title: t(`err${code}` as MessageKey, { message }),
    next: t(`err${code}Next` as MessageKey, { seconds }),
  };
}
