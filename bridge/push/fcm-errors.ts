// What to do when FCM refuses a push: drop the token, try again later, or give up.

export type FcmVerdict = 'prune' | 'retry' | 'fail';

// Transient on Google's side or on the way there (timeouts, resets, token server trouble, quota).
const RETRY_CODES = new Set([
  'messaging/internal-error',
  'messaging/server-unavailable',
  'messaging/unknown-error',
  'messaging/message-rate-exceeded',
  'messaging/device-message-rate-exceeded',
  'app/network-error',
  'app/network-timeout',
  'app/invalid-credential', // also what a failed OAuth token fetch becomes
]);

const PRUNE_CODES = new Set(['messaging/registration-token-not-registered', 'messaging/invalid-registration-token']);

export function errorCodeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

export function classifyFcmError(err: unknown): FcmVerdict {
  const code = errorCodeOf(err);
  if (PRUNE_CODES.has(code)) return 'prune';
  // invalid-argument also covers a bad payload; only a token complaint means the token is dead.
  if (code === 'messaging/invalid-argument') {
    const message = String((err as Error).message ?? '');
    return /registration token/i.test(message) ? 'prune' : 'fail';
  }
  if (RETRY_CODES.has(code)) return 'retry';
  return 'fail';
}
