// Where a caller's token travels, for both transports: the `apikey` header or
// `Authorization: Bearer` (the WebSocket may also carry `?token=`, read by the hub).
import type { IncomingMessage } from 'node:http';

export function tokenFromHeaders(headers: IncomingMessage['headers']): string | undefined {
  const apikey = headers.apikey;
  if (typeof apikey === 'string' && apikey) return apikey;
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || undefined;
  return undefined;
}
