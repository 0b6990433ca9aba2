// One clean line for the start-up failures an owner can fix themselves, instead of a stack trace.
import { DataDirError } from './data-dir.js';

export class CertificateError extends Error {}

export function startupErrorLine(err: unknown, where: { host: string; port: number }): string {
  if (err instanceof DataDirError || err instanceof CertificateError) return err.message;
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'EADDRINUSE':
      return `port ${where.port} on ${where.host} is already in use (is another WA Bridge running?); stop it or set PORT`;
    case 'EACCES':
      if (e.syscall === 'listen') return `not allowed to listen on port ${where.port} (ports below 1024 need admin rights); set PORT`;
      return `permission denied: ${e.path ?? e.message}`;
    case 'EADDRNOTAVAIL':
      return `HOST ${where.host} is not an address of this computer`;
    case 'ENOSPC':
      return `the disk holding the data dir is full`;
    default:
      return e instanceof Error ? e.message.split('\n')[0]! : String(err);
  }
}
