import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startBridge } from '../helpers/bridge.js';

describe('stopping under load', () => {
  it('finishes quickly while keep-alive clients keep asking, and never answers with a 500', async () => {
    const t = await startBridge();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const statuses: number[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        const status = await new Promise<number>((resolve) => {
          const req = http.get(`${t.bridge.url}/api/archive/search?slot=1&query=hello`, { agent, headers: { apikey: t.token } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', () => resolve(-1)); // connection cut or refused: expected once stopping
        });
        statuses.push(status);
        if (status === -1) await new Promise((r) => setTimeout(r, 5));
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await t.stop();
    const took = Date.now() - started;
    running = false;
    await Promise.all(clients);
    agent.destroy();
    expect(took).toBeLessThan(5000);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});
