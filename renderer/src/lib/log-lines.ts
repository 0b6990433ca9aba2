// The log screen's words for a bridge log line, and the live tail's merge.
import type { LogLine } from '../api/types.js';

/** A request reads "GET /api/slots → 200 · 3.2 ms"; others their message and the reason. */
export function logText(l: LogLine): string {
  const d = l.detail ?? {};
  if (l.kind === 'request' && d.method !== undefined) {
    return `${d.method} ${d.path ?? ''} → ${d.status ?? '?'}${d.ms !== undefined ? ` · ${d.ms} ms` : ''}`;
  }
  const extra: string[] = [];
  for (const k of ['reason', 'error', 'device', 'deviceId', 'phone', 'code'] as const) if (d[k] !== undefined) extra.push(`${k}=${String(d[k])}`);
  return extra.length ? `${l.msg} (${extra.join(', ')})` : l.msg;
}

/** Newer lines (newest first) on top of what is shown, without duplicates, at most `cap`. */
export function mergeTail(shown: LogLine[], newer: LogLine[], cap: number): LogLine[] {
  if (newer.length === 0) return shown;
  const top = shown[0]?.id ?? 0;
  return [...newer.filter((l) => (l.id ?? 0) > top), ...shown].slice(0, cap);
}
