// The poke between nodes: only the cluster key may trigger a read; the sender keeps at most one
// poke in flight per peer (one more after it when events came meanwhile), skips itself, and never
// throws or waits, whatever the peer does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { errorHandler } from '../http/errors.js';
import { requestLog } from '../http/request-log.js';
import { createMetrics } from '../metrics.js';
import { CLUSTER_KEY_HEADER } from './cluster-key.js';
import { EventPoker, POKE_PATH, pokeRoute } from './poke.js';

const KEY = 'poke-test-cluster-key-0123456789';
const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('the poke route', () => {
  const appWith = (key: string | undefined, onPoke: () => void) => {
    const app = express();
    app.use(pokeRoute(key, onPoke));
    app.use(errorHandler(1024, silent));
    return app;
  };

  it('reads at once on the cluster key; refuses a missing key (401) and a wrong one (403) without reading', async () => {
    let reads = 0;
    const app = appWith(KEY, () => void reads++);
    const missing = await request(app).post(POKE_PATH).expect(401);
    expect(missing.body.error.code).toBe('UNAUTHORIZED');
    const wrong = await request(app).post(POKE_PATH).set(CLUSTER_KEY_HEADER, 'another-cluster-key-0123456789').expect(403);
    expect(wrong.body.error.code).toBe('FORBIDDEN');
    // The key's prefix or the key twice is no key either.
    await request(app).post(POKE_PATH).set(CLUSTER_KEY_HEADER, KEY.slice(0, -1)).expect(403);
    await request(app).post(POKE_PATH).set(CLUSTER_KEY_HEADER, KEY + KEY).expect(403);
    expect(reads).toBe(0);
    await request(app).post(POKE_PATH).set(CLUSTER_KEY_HEADER, KEY).expect(204);
    expect(reads).toBe(1);
  });

  it('logs accepted pokes (one per event) at debug, refused ones at info', async () => {
    const lines: { level: number; msg: string; status?: number }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const app = express();
    app.use(requestLog(logger, createMetrics()));
    app.use(pokeRoute(KEY, () => undefined));
    app.use(errorHandler(1024, silent));
    await request(app).post(POKE_PATH).set(CLUSTER_KEY_HEADER, KEY).expect(204);
    await request(app).post(POKE_PATH).set(CLUSTER_KEY_HEADER, 'another-cluster-key-0123456789').expect(403);
    const requests = lines.filter((l) => l.msg === 'request').map((l) => [l.status, pino.levels.labels[l.level]]);
    expect(requests).toEqual([
      [204, 'debug'],
      [403, 'info'],
    ]);
  });

  it('a node without a cluster key accepts no poke', async () => {
    let reads = 0;
    await request(appWith(undefined, () => void reads++)).post(POKE_PATH).set(CLUSTER_KEY_HEADER, KEY).expect(403);
    expect(reads).toBe(0);
  });
});

/** A peer that records pokes and answers each only when told (or never). */
async function peer() {
  const held: http.ServerResponse[] = [];
  const keys: (string | undefined)[] = [];
  const routes: string[] = [];
  const server = http.createServer((req, res) => {
    keys.push(req.headers[CLUSTER_KEY_HEADER] as string | undefined);
    routes.push(`${req.method} ${req.url}`);
    held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    keys,
    routes,
    /** Pokes received so far. */
    count: () => keys.length,
    answerAll: (status = 204) => held.splice(0).forEach((res) => res.writeHead(status).end()),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('the poker', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  const start = async (opts: { timeoutMs?: number; refusedRestMs?: number } = {}) => {
    const p = await peer();
    const poker = new EventPoker({ nodeId: 'me', clusterKey: KEY, peers: () => [{ id: 'me', url: p.url }, { id: 'other', url: p.url }], logger: silent, ...opts });
    cleanup.push(() => p.close(), () => poker.close());
    return { p, poker };
  };

  it('sends one poke per peer with the key, skips itself, and coalesces pokes while one is in flight', async () => {
    const { p, poker } = await start();
    for (let i = 0; i < 10; i++) poker.poke();
    await until(() => p.count() === 1);
    await sleep(100);
    expect(p.count()).toBe(1); // nine appends while in flight: no more pokes yet
    expect(p.keys).toEqual([KEY]); // to "other" only: "me" is this node
    expect(p.routes).toEqual([`POST ${POKE_PATH}`]);
    p.answerAll();
    // …and exactly one more once it is answered (they came after the first was sent).
    await until(() => p.count() === 2);
    p.answerAll();
    await sleep(150);
    expect(p.count()).toBe(2);
    // Quiet peer, new append: a new poke at once.
    poker.poke();
    await until(() => p.count() === 3);
  });

  it('gives up on a peer that does not answer after the timeout, and pokes it again on the next append', async () => {
    const { p, poker } = await start({ timeoutMs: 150 });
    poker.poke();
    await until(() => p.count() === 1);
    poker.poke(); // in flight: only marks "again"
    // The unanswered poke times out; the append made meanwhile is poked again.
    await until(() => p.count() === 2, 2000);
  });

  it('leaves a peer that refuses pokes (an older release) alone for a while, then tries again', async () => {
    const { p, poker } = await start({ refusedRestMs: 400 });
    poker.poke();
    await until(() => p.count() === 1);
    poker.poke(); // in flight: marks "again", dropped by the refusal
    p.answerAll(400);
    await sleep(150);
    for (let i = 0; i < 5; i++) poker.poke();
    await sleep(100);
    expect(p.count()).toBe(1); // resting: no poke per event to a node that cannot take them
    await sleep(300);
    poker.poke();
    await until(() => p.count() === 2);
  });

  it('never throws and returns at once, whatever the peers are', () => {
    const poker = new EventPoker({
      nodeId: 'me',
      clusterKey: KEY,
      peers: () => [{ id: 'gone', url: 'http://127.0.0.1:1' }, { id: 'bad', url: 'not a url' }],
      logger: silent,
    });
    cleanup.push(() => poker.close());
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) poker.poke();
    expect(performance.now() - t0).toBeLessThan(200);
    const broken = new EventPoker({ nodeId: 'me', clusterKey: KEY, peers: () => { throw new Error('no node list'); }, logger: silent });
    expect(() => broken.poke()).not.toThrow();
  });

  it('pokes nobody once closed', async () => {
    const { p, poker } = await start();
    poker.close();
    poker.poke();
    await sleep(100);
    expect(p.count()).toBe(0);
  });
});
