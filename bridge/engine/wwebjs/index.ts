// The whatsapp-web.js engine behind the engine seam: one WwebjsEngine (one Chromium) per slot.
import type { Logger } from 'pino';
import type { BridgeConfig } from '../../config.js';
import type { EngineFactory } from '../types.js';
import { WwebjsEngine } from './engine.js';

export function createWwebjsEngineFactory(config: BridgeConfig, logger: Logger): EngineFactory {
  return (ctx) => new WwebjsEngine({ ...ctx, logger: ctx.logger ?? logger.child({ slot: ctx.slot }) }, config);
}

export { WwebjsEngine, type EngineOptions } from './engine.js';
export { toArchivedMessage, toChatRow, toPollVote, messageType } from './map.js';
