// The session-store service's settings, in seed 003's names: GLOBAL_AUTH_TOKEN (required),
// BODY_SIZE (MB, default 5), HTTP_LOGS (default false); plus where it listens and stores.

export interface SessionStoreConfig {
  token: string;
  port: number;
  host: string;
  dir: string;
  bodyLimitBytes: number;
  httpLogs: boolean;
}

export class SessionStoreConfigError extends Error {}

const MB = 1024 * 1024;

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, check: (n: number) => boolean): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) throw new SessionStoreConfigError(`${name}: ${JSON.stringify(raw)} is not valid`);
  return value;
}

export function loadSessionStoreConfig(env: NodeJS.ProcessEnv = process.env): SessionStoreConfig {
  const token = env.GLOBAL_AUTH_TOKEN ?? '';
  if (token.trim().length < 16) throw new SessionStoreConfigError('GLOBAL_AUTH_TOKEN: required, at least 16 characters (clients send it as the apikey header)');
  const httpLogs = (env.HTTP_LOGS ?? 'false').toLowerCase();
  if (httpLogs !== 'true' && httpLogs !== 'false') throw new SessionStoreConfigError('HTTP_LOGS: must be true or false');
  return {
    token,
    port: number(env, 'SESSION_STORE_PORT', 5656, (n) => Number.isInteger(n) && n >= 0 && n <= 65535),
    host: env.SESSION_STORE_HOST || '0.0.0.0',
    dir: env.SESSION_STORE_DIR || './session-store-data',
    bodyLimitBytes: Math.floor(number(env, 'BODY_SIZE', 5, (n) => n > 0 && n <= 1024) * MB),
    httpLogs: httpLogs === 'true',
  };
}
