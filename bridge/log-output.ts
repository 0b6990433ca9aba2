// Where log lines go (stdout by default), made harmless when that place fails: `npm start > log`
// on a full disk (ENOSPC thrown by the synchronous write), a closed pipe (EPIPE as an 'error'
// event), an I/O error. A log line that cannot be written is dropped and counted; the bridge
// carries on, and writes again as soon as the output takes them.
import type { DestinationStream } from 'pino';

export interface TolerantOutput extends DestinationStream {
  /** Lines that could not be written. */
  readonly dropped: number;
}

export function tolerantOutput(target: DestinationStream | NodeJS.WritableStream): TolerantOutput {
  let dropped = 0;
  // An unhandled 'error' event would end the process.
  (target as Partial<NodeJS.WritableStream>).on?.('error', () => {
    dropped++;
  });
  return {
    write(line: string) {
      if ((target as { destroyed?: boolean }).destroyed) {
        dropped++;
        return;
      }
      try {
        target.write(line);
      } catch {
        dropped++;
      }
    },
    get dropped() {
      return dropped;
    },
  };
}
