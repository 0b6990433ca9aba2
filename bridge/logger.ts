// pino logger; tokens, passwords and message bodies are never logged (redacted if they slip in).
import { pino, type Logger } from 'pino';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['token', 'apikey', 'authorization', '*.token', '*.apikey', '*.authorization', 'body', '*.body', 'password', '*.password'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
export type { Logger };
