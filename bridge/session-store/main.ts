// `npm run session-store`: the session-store service on its own (port 5656 by default).
import { loadSessionStoreConfig, SessionStoreConfigError } from './config.js';
import { createSessionStoreServer } from './server.js';

function main(): void {
  let config;
  try {
    config = loadSessionStoreConfig(process.env);
  } catch (err) {
    if (err instanceof SessionStoreConfigError) {
      console.error(`session-store: configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const server = createSessionStoreServer(config);
  server.on('error', (err) => {
    console.error(`session-store: could not listen on ${config.host}:${config.port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    console.log(`session-store: listening on ${config.host}:${port}, storing in ${config.dir}, body limit ${config.bodyLimitBytes} bytes`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
