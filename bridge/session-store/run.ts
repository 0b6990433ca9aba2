// Starting the session-store service, shared by `npm run session-store` (main.ts) and the
// desktop app's `--session-store` mode (electron/session-store-mode.ts): read the settings,
// listen, stop on SIGTERM/SIGINT. Problems end the process with a clean line, never a stack.
import type http from 'node:http';
import { loadSessionStoreConfig, SessionStoreConfigError } from './config.js';
import { createSessionStoreServer } from './server.js';

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  /** Where the service keeps its files when SESSION_STORE_DIR is unset. */
  defaultDir?: string;
  out?: (line: string) => void;
  err?: (line: string) => void;
  exit?: (code: number) => void;
}

export function runSessionStore(opts: RunOptions): http.Server | null {
  const out = opts.out ?? ((line) => console.log(line));
  const err = opts.err ?? ((line) => console.error(line));
  const exit = opts.exit ?? ((code) => process.exit(code));
  let config;
  try {
    config = loadSessionStoreConfig(opts.defaultDir && !opts.env.SESSION_STORE_DIR ? { ...opts.env, SESSION_STORE_DIR: opts.defaultDir } : opts.env);
  } catch (e) {
    if (!(e instanceof SessionStoreConfigError)) throw e;
    err(`session-store: configuration error: ${e.message}`);
    exit(2);
    return null;
  }
  const server = createSessionStoreServer(config);
  server.on('error', (e) => {
    err(`session-store: could not listen on ${config.host}:${config.port}: ${e.message}`);
    exit(1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    out(`session-store: listening on ${config.host}:${port}, storing in ${config.dir}, body limit ${config.bodyLimitBytes} bytes`);
  });
  const stop = () => server.close(() => exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return server;
}
