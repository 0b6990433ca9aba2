// Headless entry (`npm start`): config → createBridge → listen; SIGTERM/SIGINT stop gracefully.
import path from 'node:path';
import { createBridge } from './bridge.js';
import { ADMIN_TOKEN_FILE } from './auth/tokens.js';
import { ConfigError, loadConfig } from './config.js';
import { startupErrorLine } from './startup-errors.js';

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
  const where = { host: config.host, port: config.port };
  let bridge: ReturnType<typeof createBridge>;
  // "Restart the bridge" from the admin app: stop, read the settings again, start a new one here.
  let restarting = false;
  const restart = async () => {
    if (restarting || stopping) return;
    restarting = true;
    console.log('wa-bridge: restarting (asked from the admin app)…');
    try {
      await bridge.stop();
      const next = loadConfig(process.env);
      bridge = createBridge(next, { onRestart: () => void restart() });
      await bridge.start();
      console.log(`wa-bridge: restarted; admin app at http://localhost:${bridge.port}/`);
    } catch (err) {
      console.error(`wa-bridge: could not restart: ${startupErrorLine(err, where)}`);
      process.exit(1);
    } finally {
      restarting = false;
    }
  };
  try {
    bridge = createBridge(config, { onRestart: () => void restart() });
  } catch (err) {
    console.error(`wa-bridge: could not start: ${startupErrorLine(err, where)}`);
    process.exit(1);
  }
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
    console.error(`wa-bridge: could not start: ${startupErrorLine(err, where)}`);
    await bridge.stop();
    process.exit(1);
  }
  const tokenSource = config.adminToken ? 'WA_BRIDGE_ADMIN_TOKEN' : path.join(config.dataDir, ADMIN_TOKEN_FILE);
  console.log(`wa-bridge: admin app at http://localhost:${bridge.port}/ (engine: ${config.engine})`);
  console.log(`wa-bridge: admin token in ${tokenSource}`);
}

void main();
