// The error codes of API.md and the one error class every layer throws.

export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  INVALID_SLOT: 400,
  INVALID_NUMBER: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  MEDIA_NOT_FOUND: 404,
  NOT_CONNECTED: 409,
  /** The thing asked about is in a state that does not allow this (e.g. retrying an outbox entry that did not fail). */
  CONFLICT: 409,
  QR_EXPIRED: 410,
  MEDIA_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  /** A session snapshot refused: nothing worth keeping, wrong key, damaged, or another account. */
  SNAPSHOT_REFUSED: 422,
  RANGE_NOT_SATISFIABLE: 416,
  RATE_LIMITED: 429,
  SEND_FAILED: 502,
  MEDIA_UNAVAILABLE: 502,
  INTERNAL: 500,
  /** The session store (WA_BRIDGE_SESSION_STORE) could not be reached. */
  STORE_UNAVAILABLE: 503,
  /** The archive database is being upgraded; /api/health shows the progress. */
  ARCHIVE_MIGRATING: 503,
  /** The archive database (MySQL) does not answer: away, or hung past the read timeout. */
  ARCHIVE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class BridgeError extends Error {
  readonly code: ErrorCode;
  /** Seconds to wait, for RATE_LIMITED. */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, opts: { retryAfter?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'BridgeError';
    this.code = code;
    this.retryAfter = opts.retryAfter;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** The API's error envelope. */
export function errorBody(code: ErrorCode, message: string) {
  return { success: false as const, error: { code, message } };
}
