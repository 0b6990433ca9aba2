// The send routes (API.md): 200 with the message id, or 202 when queued in the outbox.
import { Router, type Response } from 'express';
import * as commands from '../../api/commands.js';
import { parseOrThrow, sendMediaBody, sendPollBody, sendTextBody, testConnectionBody } from '../../api/schemas.js';
import type { BridgeContext } from '../../context.js';
import type { SendResult } from '../../slots/messenger.js';

function reply(res: Response, result: SendResult): void {
  if ('queued' in result) res.status(202).json({ success: true, ...result });
  else res.json({ success: true, messageId: result.messageId });
}

export function sendRoutes(ctx: BridgeContext): Router {
  const r = Router();
  r.post('/send', async (req, res) => reply(res, await commands.sendText(ctx, parseOrThrow(sendTextBody, req.body))));
  r.post('/send-media', async (req, res) => reply(res, await commands.sendMedia(ctx, parseOrThrow(sendMediaBody, req.body))));
  r.post('/send-poll', async (req, res) => reply(res, await commands.sendPoll(ctx, parseOrThrow(sendPollBody, req.body))));
  r.post('/test-connection', async (req, res) => {
    const body = parseOrThrow(testConnectionBody, req.body);
    reply(res, await commands.testConnection(ctx, body.slot, body.phone));
  });
  return r;
}
