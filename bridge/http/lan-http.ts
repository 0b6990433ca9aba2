// Plain HTTP is served to this computer always (the local admin app) and to the LAN only while
// the legacy setting is on (phones paired before HTTPS). A refused connection gets one 403 in the
// error envelope, decided on connect, before a byte of the request is read.
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
import { errorBody } from '../domain/index.js';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  try {
    return ipaddr.process(address).range() === 'loopback';
  } catch {
    return false;
  }
}

export interface LanHttpOptions {
  /** Plain HTTP to LAN addresses allowed (the legacy setting). */
  lanHttp: () => boolean;
  isLocal?: (address: string | undefined) => boolean;
  onRefused?: (address: string | undefined) => void;
}

const REFUSAL = JSON.stringify(
  errorBody('FORBIDDEN', 'plain HTTP is only served on this computer; connect with https:// (pair the phone again to get the address and certificate fingerprint)'),
);

/** Put the LAN rule in front of the plain server's own connection handling. */
export function guardPlainHttp(plain: HttpServer, opts: LanHttpOptions): void {
  const isLocal = opts.isLocal ?? isLoopback;
  const serve = plain.listeners('connection') as Array<(socket: Socket) => void>;
  plain.removeAllListeners('connection');
  plain.on('connection', (socket: Socket) => {
    if (opts.lanHttp() || isLocal(socket.remoteAddress)) {
      for (const listener of serve) listener.call(plain, socket);
      return;
    }
    opts.onRefused?.(socket.remoteAddress);
    socket.on('error', () => undefined);
    socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(REFUSAL)}\r\nConnection: close\r\n\r\n${REFUSAL}`);
    socket.resume(); // discard whatever the client sends meanwhile
  });
}
