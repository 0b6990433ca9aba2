import { describe, expect, it } from 'vitest';
import { classifyFcmError, errorCodeOf } from './fcm-errors.js';

const err = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('classifyFcmError', () => {
  it('prunes tokens FCM no longer knows', () => {
    expect(classifyFcmError(err('messaging/registration-token-not-registered'))).toBe('prune');
    expect(classifyFcmError(err('messaging/invalid-registration-token'))).toBe('prune');
    expect(classifyFcmError(err('messaging/invalid-argument', 'The registration token is not a valid FCM registration token'))).toBe('prune');
  });

  it('does not prune for a payload problem reported as invalid-argument', () => {
    expect(classifyFcmError(err('messaging/invalid-argument', 'Invalid JSON payload received.'))).toBe('fail');
  });

  it('retries server trouble, timeouts and quota', () => {
    for (const code of ['messaging/internal-error', 'messaging/server-unavailable', 'app/network-timeout', 'app/network-error', 'messaging/message-rate-exceeded']) {
      expect(classifyFcmError(err(code))).toBe('retry');
    }
  });

  it('gives up on anything else, including non-errors', () => {
    expect(classifyFcmError(err('messaging/mismatched-credential'))).toBe('fail');
    expect(classifyFcmError(null)).toBe('fail');
    expect(errorCodeOf('boom')).toBe('unknown');
  });
});
