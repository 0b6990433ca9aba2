// Chooses the engine: whatsapp-web.js (real) or the clearly named demo engine.
import type { Logger } from 'pino';
import type { BridgeConfig } from '../config.js';
import { createDemoEngineFactory } from './demo/index.js';
import type { EngineFactory } from './types.js';

export async function createEngineFactory(config: BridgeConfig, logger: Logger): Promise<EngineFactory> {
  if (config.engine === 'demo') return createDemoEngineFactory({ scanMs: config.demoScanMs, ...(config.cluster ? { sessionInProfile: true } : {}) });
  // Loaded only when used: the demo bridge never pulls in puppeteer.
  const { createWwebjsEngineFactory } = await import('./wwebjs/index.js');
  return createWwebjsEngineFactory(config, logger);
}

/** Kill Chromium left behind by a bridge that was killed outright (only ours: our data dir). */
export async function sweepLeftovers(config: BridgeConfig, logger: Logger): Promise<void> {
  if (config.engine === 'demo') return;
  const { sweepOrphanBrowsers } = await import('./chromium/index.js');
  const killed = await sweepOrphanBrowsers(config.dataDir, logger);
  if (killed > 0) logger.warn({ killed }, 'killed Chromium processes left behind by an earlier run');
}
