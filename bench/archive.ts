// `npm run bench -- archive`: 1,000,000 mixed Arabic/English messages over 6 slots and 2,000 chats
// into each backend through the ArchiveStore API, then search, naive LIKE and deep-pagination
// latencies (the index against an index-free scan answering the same queries over the same fields,
// hit counts checked); finally the p99 of POST /api/send on the demo engine with and without 4 clients
// searching without pause. One JSON line per measurement. Sizes can be lowered for a quick run:
// ARCHIVE_BENCH_ROWS, ARCHIVE_BENCH_QUERIES, ARCHIVE_BENCH_BACKENDS=sqlite,mysql,
// ARCHIVE_BENCH_MYSQL (server URL, no db).
// While tuning MySQL search: ARCHIVE_BENCH_MYSQL_DB=name keeps that database (created and filled
// on the first run, reused without ingest afterwards) instead of a throw-away one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import mysql from 'mysql2/promise';
import { pino } from 'pino';
import { SqliteArchiveStore } from '../bridge/archive/sqlite.js';
import { MysqlArchiveStore } from '../bridge/archive/mysql.js';
import type { ArchiveStore } from '../bridge/archive/types.js';
import { makeCorpus, makeMessage, makeQueries, rng } from './_archive-data.js';

const ROWS = Number(process.env.ARCHIVE_BENCH_ROWS ?? 1_000_000);
const SLOTS = 6;
const CHATS = 2000;
const BACKENDS = (process.env.ARCHIVE_BENCH_BACKENDS ?? 'sqlite,mysql').split(',');
const MYSQL_SERVER = process.env.ARCHIVE_BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306';
const MYSQL_KEEP_DB = process.env.ARCHIVE_BENCH_MYSQL_DB;
const CHUNK = 20_000;
const logger = pino({ level: process.env.ARCHIVE_BENCH_LOG ?? 'warn' }, pino.destination(2));

type BenchStore = ArchiveStore & { likeScan(slot: number, query: string, limit: number): Promise<number> };

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, idx)]! * 100) / 100;
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

/** Feed the whole stream through the public API; only store time counts, not data generation. */
async function ingest(store: ArchiveStore): Promise<{ perSec: number; biggestChat: { slot: number; chatId: string; count: number } }> {
  const r = rng(42);
  const corpus = makeCorpus(r, SLOTS, CHATS);
  const perChat = new Map<string, { slot: number; chatId: string; count: number }>();
  let timestamp = 1_672_531_200; // 2023-01-01
  let storeMs = 0;
  for (let start = 0; start < ROWS; start += CHUNK) {
    const batch: ReturnType<typeof makeMessage>[] = [];
    for (let n = start; n < Math.min(ROWS, start + CHUNK); n++) {
      timestamp += Math.floor(r() * 120);
      const item = makeMessage(r, corpus, n, timestamp);
      batch.push(item);
      const key = `${item.slot}|${item.message.chatId}`;
      const c = perChat.get(key) ?? { slot: item.slot, chatId: item.message.chatId, count: 0 };
      c.count++;
      perChat.set(key, c);
    }
    const [ms] = await time(async () => {
      for (const { slot, message } of batch) store.saveMessage(slot, message);
      await store.flush();
    });
    storeMs += ms;
    if ((start / CHUNK) % 10 === 0) process.stderr.write(`  ${store.backend}: ${start + batch.length} rows, ${Math.round(((start + batch.length) / storeMs) * 1000)}/s\n`);
  }
  const biggestChat = [...perChat.values()].sort((a, b) => b.count - a.count)[0]!;
  return { perSec: Math.round((ROWS / storeMs) * 1000), biggestChat };
}

/** Queries per side: the index and the index-free scan answer the very same ones. */
const SEARCH_SAMPLES = Number(process.env.ARCHIVE_BENCH_QUERIES ?? 300);

async function measure(store: BenchStore, biggest: { slot: number; chatId: string; count: number }) {
  const r = rng(7);
  const queries = makeQueries(r, SEARCH_SAMPLES).map((q) => ({ q, slot: 1 + Math.floor(r() * SLOTS) }));
  // Warm both sides the way a running bridge would be warm.
  for (const { q, slot } of queries.slice(0, 20)) {
    await store.search({ slot, query: q, limit: 50 });
    await store.likeScan(slot, q, 50);
  }
  const search: number[] = [];
  const like: number[] = [];
  const slowest: { q: string; slot: number; ms: number }[] = [];
  let hits = 0;
  let mismatches = 0;
  for (const { q, slot } of queries) {
    const [ms, rows] = await time(() => store.search({ slot, query: q, limit: 50 }));
    search.push(ms);
    slowest.push({ q, slot, ms: Math.round(ms * 10) / 10 });
    // Same query, same fields, same normalisation, without the index: the hit counts must agree,
    // or a broken index would bench fastest.
    const [scanMs, scanHits] = await time(() => store.likeScan(slot, q, 50));
    like.push(scanMs);
    hits += rows.length;
    if (rows.length !== scanHits) {
      mismatches++;
      if (mismatches <= 5) process.stderr.write(`  ${store.backend}: "${q}" on slot ${slot}: index ${rows.length} hits, scan ${scanHits}\n`);
    }
  }
  if (mismatches) throw new Error(`${store.backend}: ${mismatches} of ${queries.length} searches disagree with the index-free scan`);
  slowest.sort((a, b) => b.ms - a.ms);
  process.stderr.write(`  ${store.backend}: slowest searches ${JSON.stringify(slowest.slice(0, 5))}\n`);
  const page: number[] = [];
  for (let i = 0; i < 300; i++) {
    const offset = Math.floor(r() * Math.max(1, biggest.count - 50));
    const [ms] = await time(() => store.listMessages(biggest.slot, biggest.chatId, 50, offset));
    page.push(ms);
  }
  return {
    searchQueries: queries.length,
    searchHits: hits,
    searchP50Ms: percentile(search, 50),
    searchP95Ms: percentile(search, 95),
    scanP50Ms: percentile(like, 50),
    scanP95Ms: percentile(like, 95),
    pageP95Ms: percentile(page, 95),
    biggestChatRows: biggest.count,
  };
}

async function benchSqlite(dataDir: string): Promise<void> {
  const file = path.join(dataDir, 'archive.db');
  const store = new SqliteArchiveStore({ file, logger });
  await store.init();
  const { perSec, biggestChat } = await ingest(store);
  const figures = await measure(store, biggestChat);
  await store.close();
  console.log(JSON.stringify({ backend: 'sqlite', rows: ROWS, ingestPerSec: perSec, ...figures }));
}

async function benchMysql(dataDir: string): Promise<void> {
  const name = MYSQL_KEEP_DB ?? `wa_bench_${Date.now().toString(36)}`;
  const admin = await mysql.createConnection(MYSQL_SERVER);
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  try {
    const store = new MysqlArchiveStore({ url: `${MYSQL_SERVER}/${name}`, logger, spoolFile: path.join(dataDir, 'spool.jsonl') });
    await store.init();
    if (!store.health().ok) throw new Error(`MySQL not reachable: ${store.health().error}`);
    const [have] = (await admin.query(`SELECT COUNT(*) AS n FROM \`${name}\`.messages`)) as unknown as [{ n: number }[]];
    let perSec: number | null = null;
    let biggestChat: { slot: number; chatId: string; count: number };
    if (MYSQL_KEEP_DB && Number(have[0]!.n) >= ROWS) {
      const [big] = (await admin.query(
        `SELECT slot, chat_id AS chatId, COUNT(*) AS count FROM \`${name}\`.messages GROUP BY slot, chat_id ORDER BY count DESC LIMIT 1`,
      )) as unknown as [{ slot: number; chatId: string; count: number }[]];
      biggestChat = { ...big[0]!, count: Number(big[0]!.count) };
    } else {
      ({ perSec, biggestChat } = await ingest(store));
    }
    const figures = await measure(store, biggestChat);
    await store.close();
    console.log(JSON.stringify({ backend: 'mysql', rows: ROWS, ingestPerSec: perSec, ...figures }));
  } finally {
    if (!MYSQL_KEEP_DB) await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
  }
}

/** Plain JS for a worker thread: N clients searching without pause until told to stop. */
const SEARCH_CLIENTS = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, queries, slots, clients } = workerData;
let searching = true, searches = 0, errors = 0;
async function client(k) {
  let i = k;
  while (searching) {
    const q = encodeURIComponent(queries[i++ % queries.length]);
    try {
      const res = await fetch(url + '/api/archive/search?slot=' + (1 + (i % slots)) + '&query=' + q + '&limit=50', { headers: { apikey: token } });
      if (res.status !== 200) errors++;
      await res.arrayBuffer();
    } catch { errors++; }
    searches++;
  }
}
const running = Array.from({ length: clients }, (_, k) => client(k * 50));
parentPort.on('message', async () => {
  searching = false;
  await Promise.all(running);
  parentPort.postMessage({ searches, errors });
});
`;

/** p99 of POST /api/send on the demo engine, alone and while 4 clients search the big archive. */
async function benchSendUnderSearch(dataDir: string): Promise<void> {
  const { createBridge } = await import('../bridge/bridge.js');
  const { loadConfig } = await import('../bridge/config.js');
  const config = loadConfig({}, {
    port: 0, host: '127.0.0.1', dataDir, engine: 'demo', demoScanMs: 100, logLevel: 'warn',
    ratePerMinute: 1_000_000_000, ratePerHour: 1_000_000_000, ratePerDay: 1_000_000_000,
  });
  const bridge = createBridge(config);
  await bridge.start();
  const headers = { apikey: bridge.adminToken, 'content-type': 'application/json' };
  try {
    await fetch(`${bridge.url}/api/connect`, { method: 'POST', headers, body: JSON.stringify({ slot: 1 }) });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const slots = (await (await fetch(`${bridge.url}/api/slots`, { headers })).json()) as { slot: number; ready: boolean }[];
      if (slots.find((s) => s.slot === 1)?.ready) break;
      if (Date.now() > deadline) throw new Error('demo slot 1 never became ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const send = async (count: number): Promise<number[]> => {
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        const [ms, res] = await time(() =>
          fetch(`${bridge.url}/api/send`, { method: 'POST', headers, body: JSON.stringify({ slot: 1, phone: '962781523783', message: `hi ${i}` }) }),
        );
        if (res.status !== 200) throw new Error(`send answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
        samples.push(ms);
      }
      return samples;
    };
    await send(100); // warm-up
    const quiet = await send(1500);

    // The 4 searching clients run in their own thread, so their work does not land on the
    // bridge's event loop (bridge and bench share this process).
    const queries = makeQueries(rng(11), 300);
    const searchStarted = performance.now();
    const searchers = new Worker(SEARCH_CLIENTS, {
      eval: true,
      workerData: { url: bridge.url, token: bridge.adminToken, queries, slots: SLOTS, clients: 4 },
    });
    const delay = monitorEventLoopDelay({ resolution: 1 });
    await new Promise((r) => setTimeout(r, 500));
    delay.enable();
    const loaded = await send(1500);
    delay.disable();
    const counts = await new Promise<{ searches: number; errors: number }>((resolve) => {
      searchers.once('message', resolve);
      searchers.postMessage('stop');
    });
    const searchesPerSec = Math.round(counts.searches / ((performance.now() - searchStarted) / 1000));
    await searchers.terminate();
    const searchErrors = counts.errors;
    const eventLoopDelayP99Ms = Math.round((delay.percentile(99) / 1e6) * 100) / 100;
    console.log(
      JSON.stringify({
        bench: 'send-while-searching',
        archiveRows: ROWS,
        sendP99Ms: percentile(quiet, 99),
        sendP99WhileSearchingMs: percentile(loaded, 99),
        sendP50Ms: percentile(quiet, 50),
        sendP50WhileSearchingMs: percentile(loaded, 50),
        searchClients: 4,
        searchesPerSec,
        searchErrors,
        eventLoopDelayP99WhileSearchingMs: eventLoopDelayP99Ms,
      }),
    );
  } finally {
    await bridge.stop();
  }
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-bench-archive-'));
  try {
    if (BACKENDS.includes('sqlite')) await benchSqlite(dataDir);
    // The bridge opens the SQLite archive just built (or an empty one if SQLite was skipped);
    // it runs before the MySQL part so MariaDB's background work cannot disturb it.
    if (!process.env.ARCHIVE_BENCH_SKIP_HTTP) await benchSendUnderSearch(dataDir);
    if (BACKENDS.includes('mysql')) await benchMysql(dataDir);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
