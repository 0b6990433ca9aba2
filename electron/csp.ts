// A strict Content-Security-Policy for the admin app, added by the main process to every
// response from the bridge's origin (the bridge may send its own too; browsers enforce both).

/** The policy for an app served at appUrl (http://127.0.0.1:<port>). */
export function contentSecurityPolicy(appUrl: string): string {
  const { host } = new URL(appUrl);
  return [
    "default-src 'none'",
    "script-src 'self'",
    // React sets style properties through the DOM; Vite's CSS comes as files.
    "style-src 'self' 'unsafe-inline'",
    // QR codes are data: URLs; avatars come from WhatsApp's https CDN.
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    `connect-src 'self' ws://${host}`,
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

type Headers = Record<string, string[] | string>;

/** Response headers with our CSP added (an existing policy is kept: both then apply). */
export function withCsp(headers: Headers | undefined, appUrl: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name] = Array.isArray(value) ? value : [value];
  const key = Object.keys(out).find((k) => k.toLowerCase() === 'content-security-policy') ?? 'Content-Security-Policy';
  out[key] = [...(out[key] ?? []), contentSecurityPolicy(appUrl)];
  return out;
}
