// Headless entry (`npm start`): config → createBridge → listen; SIGTERM/SIGINT stop gracefully.
import path from 'node:path';
import { createBridge } from './bridge.js';
import { ADMIN_TOKEN_FILE } from './auth/tokens.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`wa-bridge: configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const bridge = createBridge(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`wa-bridge: ${signal} received, stopping…`);
    await bridge.stop();
    process.exit(0);
  };
  // whatsapp-web.js has page listeners that can reject after a browser dies ("Target closed");
  // the slot supervisor already handles the crash, so such a rejection must not end the bridge.
  process.on('unhandledRejection', (reason) => {
    console.error(`wa-bridge: unhandled rejection (ignored): ${reason instanceof Error ? reason.message : String(reason)}`);
  });
  // A log or console line that cannot be written (full disk, closed pipe) must not end the bridge.
  for (const out of [process.stdout, process.stderr]) out.on('error', () => undefined);
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    await bridge.start();
  } catch (err) {
    console.error(`wa-bridge: could not start: ${(err as Error).message}`);
    await bridge.stop();
    process.exit(1);
  }
  const tokenSource = config.adminToken ? 'WA_BRIDGE_ADMIN_TOKEN' : path.join(config.dataDir, ADMIN_TOKEN_FILE);
  console.log(`wa-bridge: admin app at http://localhost:${bridge.port}/ (engine: ${config.engine})`);
  console.log(`wa-bridge: admin token in ${tokenSource}`);
}

void main();
