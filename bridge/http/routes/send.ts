// The send routes (API.md): 200 with the message id, or 202 when queued in the outbox.
import { Router, type Response } from 'express';
import * as commands from '../../api/commands.js';
import { parseOrThrow, sendMediaBody, sendPollBody, sendTextBody, testConnectionBody } from '../../api/schemas.js';
import type { BridgeContext } from '../../context.js';
import type { SendResult } from '../../slots/messenger.js';
import { multipartMedia } from '../upload.js';
import { guard } from '../auth.js';

function reply(res: Response, result: SendResult): void {
  if ('queued' in result) res.status(202).json({ success: true, ...result });
  else res.json({ success: true, messageId: result.messageId });
}

export function sendRoutes(ctx: BridgeContext): Router {
  const r = Router();
  /** Parse, then check the token may send on that slot. */
  const sendable = <T extends { slot: number }>(res: Response, body: T): T => {
    guard(res, 'send', body.slot);
    return body;
  };
  const queueing = commands.QUEUE_WHILE_RECONNECTING;
  r.post('/send', async (req, res) => reply(res, await commands.sendText(ctx, sendable(res, parseOrThrow(sendTextBody, req.body)), queueing)));
  r.post('/send-media', multipartMedia, async (req, res) => reply(res, await commands.sendMedia(ctx, sendable(res, parseOrThrow(sendMediaBody, req.body)), queueing)));
  r.post('/send-poll', async (req, res) => reply(res, await commands.sendPoll(ctx, sendable(res, parseOrThrow(sendPollBody, req.body)), queueing)));
  r.post('/test-connection', async (req, res) => {
    const body = sendable(res, parseOrThrow(testConnectionBody, req.body));
    reply(res, await commands.testConnection(ctx, body.slot, body.phone));
  });
  return r;
}
