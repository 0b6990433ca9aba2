// SIGTERM under load (issue 18): the bridge stops taking new connections, answers every request
// already received, and tells keep-alive clients to go (Connection: close) instead of resetting.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startBridge, waitFor } from '../helpers/bridge.js';

describe('graceful stop', () => {
  it('no request already sent is reset: each gets an answer or a refused connection', async () => {
    const t = await startBridge();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const outcomes: string[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        const outcome = await new Promise<string>((resolve) => {
          const req = http.get(`${t.bridge.url}/api/archive/search?slot=1&query=hello`, { agent, headers: { apikey: t.token } }, (res) => {
            res.resume();
            res.on('end', () => resolve(String(res.statusCode)));
            res.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
          });
          req.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
        });
        outcomes.push(outcome);
        if (outcome === 'ECONNREFUSED') running = false;
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await waitFor(() => outcomes.length > 200, 10_000, 'load running');
    await t.stop();
    running = false;
    await Promise.all(clients);
    agent.destroy();
    const failures = outcomes.filter((o) => !/^\d+$/.test(o) && o !== 'ECONNREFUSED');
    expect(failures).toEqual([]);
    expect(outcomes.filter((o) => /^5/.test(o))).toEqual([]);
  });

  it('a request in flight when the stop begins is answered, with Connection: close', async () => {
    const t = await startBridge();
    const req = http.request({
      host: '127.0.0.1',
      port: t.bridge.port,
      method: 'POST',
      path: '/api/send',
      headers: { apikey: t.token, 'content-type': 'application/json', 'content-length': '200' },
    });
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
    });
    const received = new Promise((resolve) => t.bridge.server.once('request', resolve));
    const body = JSON.stringify({ slot: 1, phone: '15550100001', message: 'x'.repeat(150) }).padEnd(200, ' ');
    req.write(body.slice(0, 20));
    await received;
    let stopped = false;
    const stopping = t.stop().then(() => (stopped = true));
    req.end(body.slice(20));
    const res = await response;
    res.resume();
    expect(res.statusCode).toBe(409); // read in full and answered: the slot is not connected
    expect(res.headers.connection).toBe('close');
    await stopping;
    expect(stopped).toBe(true);
  });
});
