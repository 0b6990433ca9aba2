// REST client: the admin app is signed in by its HttpOnly session cookie (api/session.ts), which
// the browser sends by itself; a token, when given (tests, tools), goes in the `apikey` header.
// Every call carries the CSRF header the bridge wants on cookie-signed changes, and the bridge's
// error envelope becomes an ApiError with its code, so screens can explain it in words.
import type { ErrorCode } from './types.js';

export type ClientErrorCode = ErrorCode | 'NETWORK' | 'BAD_RESPONSE';

export class ApiError extends Error {
  readonly code: ClientErrorCode;
  readonly status: number;
  readonly retryAfter?: number;
  constructor(code: ClientErrorCode, message: string, status: number, retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

export interface Api {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  del<T>(path: string): Promise<T>;
  /** POST that answers with a file (e.g. the backup); errors as for the others. */
  download(path: string, body?: unknown): Promise<Blob>;
  /** A multipart form (a file upload): the browser sets the boundary. */
  postForm<T>(path: string, form: FormData): Promise<T>;
  /** A file behind the token (media): its bytes, or 'pending' while the bridge still fetches it (202). */
  blob(path: string): Promise<Blob | 'pending'>;
}

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The header the bridge asks of cookie-signed requests that change something (no other site can set it). */
export const CSRF_HEADERS = { 'x-wab-csrf': '1' } as const;

/**
 * `token` null = the session cookie. `baseUrl` is '' for same-origin (the bridge serves the app).
 * `onUnauthorized` hears every 401: with a cookie, the session has ended.
 */
export function createApi(token: string | null, baseUrl = '', fetchImpl: typeof fetch = (...a) => fetch(...a), onUnauthorized?: () => void): Api {
  const auth: Record<string, string> = token ? { apikey: token, ...CSRF_HEADERS } : { ...CSRF_HEADERS };
  async function call<T>(method: string, path: string, body?: unknown, query?: Query, asBlob = false): Promise<T> {
    let res: Response;
    const form = body instanceof FormData ? body : null;
    try {
      res = await fetchImpl(baseUrl + withQuery(path, query), {
        method,
        headers: { ...auth, ...(body === undefined || form ? {} : { 'content-type': 'application/json' }) },
        body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
    } catch (err) {
      throw new ApiError('NETWORK', (err as Error).message || 'network error', 0);
    }
    if (res.status === 401) onUnauthorized?.();
    if (asBlob && res.ok) return (await res.blob()) as T;
    let data: unknown = null;
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        if (!res.ok) throw new ApiError('BAD_RESPONSE', `HTTP ${res.status}`, res.status);
        throw new ApiError('BAD_RESPONSE', 'the bridge answered with something that is not JSON', res.status);
      }
    }
    if (!res.ok || (data && typeof data === 'object' && (data as { success?: unknown }).success === false)) {
      const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
      const retry = Number(res.headers.get('retry-after'));
      throw new ApiError(
        (err?.code as ErrorCode | undefined) ?? (res.status === 401 ? 'UNAUTHORIZED' : 'BAD_RESPONSE'),
        err?.message ?? `HTTP ${res.status}`,
        res.status,
        Number.isFinite(retry) && retry > 0 ? retry : undefined,
      );
    }
    return data as T;
  }
  return {
    get: (path, query) => call('GET', path, undefined, query),
    post: (path, body) => call('POST', path, body ?? {}),
    put: (path, body) => call('PUT', path, body ?? {}),
    del: (path) => call('DELETE', path),
    download: (path, body) => call<Blob>('POST', path, body ?? {}, undefined, true),
    postForm: (path, form) => call('POST', path, form),
    async blob(path) {
      let res: Response;
      try {
        res = await fetchImpl(baseUrl + path, { headers: auth });
      } catch (err) {
        throw new ApiError('NETWORK', (err as Error).message || 'network error', 0);
      }
      if (res.status === 202) return 'pending';
      if (res.status === 401) onUnauthorized?.();
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
        throw new ApiError((body?.error?.code as ErrorCode | undefined) ?? 'BAD_RESPONSE', body?.error?.message ?? `HTTP ${res.status}`, res.status);
      }
      return res.blob();
    },
  };
}
