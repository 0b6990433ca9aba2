// `npm run bench -- ui`: the admin app in Debian's Chromium against a demo bridge (production
// build). Figures: first paint and interactive of the main screen, opening a 600-message chat
// (and paging all of it in), Enter → own bubble, scroll frame times over that chat, and the chat
// list with 1,000 chats. Each figure is the median of a few runs (p95 for frame times).
import { spawnSync } from 'node:child_process';
import { startUi, ROOT } from '../test/ui/kit.js';

const RUNS = Number(process.env.UI_BENCH_RUNS ?? 5);
const BIG = '15550600600@c.us';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('vite build failed');
  const kit = await startUi({ slots: 6, ratePerMinute: 100_000, ratePerHour: 100_000, ratePerDay: 100_000 });
  const figures: Record<string, number | string> = {};
  try {
    await kit.connect(1);
    // A 600-message chat: 300 sends, each answered by the demo contact.
    for (let i = 0; i < 300; i += 25) {
      await Promise.all(Array.from({ length: 25 }, (_, k) => kit.api('POST', '/api/send', { slot: 1, chatId: BIG, message: `bench message ${i + k} with a few words of text` })));
    }
    // 1,000 chats (the demo's four plus one per number written to).
    for (let i = 0; i < 996; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, 996 - i) }, (_, k) => kit.api('POST', '/api/send', { slot: 1, chatId: `1555070${String(i + k).padStart(4, '0')}@c.us`, message: 'hello' })),
      );
    }
    await new Promise((r) => setTimeout(r, 2500)); // echoes and the archive's batches settle

    // First paint and interactive (slot cards rendered) of the main screen, cold tab each time.
    const fcp: number[] = [];
    const interactive: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const p = await kit.page();
      await p.goto(`${kit.bridge.url}/#/slots`);
      await p.waitForFunction('document.querySelectorAll("[data-testid=slot-card]").length === 6');
      interactive.push(Number(await p.evaluate('performance.now()')));
      fcp.push(Number(await p.evaluate('performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1')));
      await p.close();
    }
    figures.firstPaintMs = round(median(fcp));
    figures.interactiveMs = round(median(interactive));

    // Open the 600-message chat from the chat list; then page it all in.
    const open: number[] = [];
    const all: number[] = [];
    let frames: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const p = await kit.page();
      await p.goto(`${kit.bridge.url}/#/chats?slot=1`);
      await p.locator('[data-testid=chat-item]').first().waitFor();
      const t0 = Number(await p.evaluate('performance.now()'));
      await p.evaluate(`location.hash = '#/chats?slot=1&chat=${encodeURIComponent(BIG)}'`);
      await p.locator('[data-testid=message]').first().waitFor();
      open.push(Number(await p.evaluate('performance.now()')) - t0);
      const t1 = Number(await p.evaluate('performance.now()'));
      // As the owner does: scroll to the top; each time the list loads the next older page.
      for (let k = 0; k < 30; k++) {
        if ((await p.locator('.older button').count()) === 0) break;
        const had = Number(await p.locator('.message-list-wrap').getAttribute('data-count'));
        await p.evaluate(`document.querySelector('[data-testid=message-list]').scrollTop = 0`);
        await p.waitForFunction(`Number(document.querySelector('.message-list-wrap').dataset.count) > ${had} || !document.querySelector('.older button')`);
      }
      all.push(Number(await p.evaluate('performance.now()')) - t1);
      // Loaded into the list (the wrapper's data-count), and how many of them are in the DOM
      // (the list is virtualised: only those near the viewport).
      figures.messagesShown = Number(await p.locator('.message-list-wrap').getAttribute('data-count'));
      figures.messagesInDom = await p.locator('[data-testid=message]').count();
      if (i === 0) {
        // Scroll from the top to the bottom in 40 px steps, one per frame: the frame times.
        frames = (await p.evaluate(`new Promise((done) => {
          const el = document.querySelector('[data-testid=message-list]');
          el.scrollTop = 0;
          const times = []; let last = performance.now();
          const step = () => {
            const now = performance.now(); times.push(now - last); last = now;
            if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return done(times.slice(1));
            el.scrollTop += 40; requestAnimationFrame(step);
          };
          requestAnimationFrame(step);
        })`)) as number[];
      }
      await p.close();
    }
    figures.open600ChatMs = round(median(open));
    figures.pageIn600Ms = round(median(all));
    figures.scrollFrameP50Ms = round(pct(frames, 50));
    figures.scrollFrameP95Ms = round(pct(frames, 95));
    figures.scrollFrames = frames.length;

    // Enter → own bubble in the DOM, timed inside the page from the keydown.
    const enter: number[] = [];
    const p = await kit.page();
    await p.goto(`${kit.bridge.url}/#/chats?slot=1&chat=${encodeURIComponent(BIG)}`);
    await p.locator('[data-testid=message]').first().waitFor();
    for (let i = 0; i < RUNS * 2; i++) {
      const text = `typed ${i} ${Date.now()}`;
      await p.fill('[data-testid=compose]', text);
      await p.evaluate(`(() => {
        const box = document.querySelector('[data-testid=compose]');
        window.__enterAt = 0; window.__bubbleAt = 0;
        box.addEventListener('keydown', () => { window.__enterAt = performance.now(); }, { once: true, capture: true });
        const list = document.querySelector('[data-testid=message-list]');
        const mo = new MutationObserver(() => {
          if ([...list.querySelectorAll('[data-testid=message]')].some((m) => m.textContent.includes(${JSON.stringify(text)}))) {
            window.__bubbleAt = performance.now(); mo.disconnect();
          }
        });
        mo.observe(list, { childList: true, subtree: true });
      })()`);
      await p.press('[data-testid=compose]', 'Enter');
      await p.waitForFunction('window.__bubbleAt > 0');
      enter.push(Number(await p.evaluate('window.__bubbleAt - window.__enterAt')));
    }
    figures.enterToBubbleMs = round(median(enter));
    await p.close();

    // The chat list with 1,000 chats: from navigation to the list drawn.
    const list: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const q = await kit.page();
      await q.goto(`${kit.bridge.url}/#/slots`);
      await q.locator('[data-testid=slot-card]').first().waitFor();
      const t0 = Number(await q.evaluate('performance.now()'));
      await q.evaluate(`location.hash = '#/chats?slot=1'`);
      await q.locator('[data-testid=chat-item]').first().waitFor();
      list.push(Number(await q.evaluate('performance.now()')) - t0);
      figures.chatRowsShown = await q.locator('[data-testid=chat-item]').count();
      await q.close();
    }
    figures.chatList1000Ms = round(median(list));

    // Scrolling the 1,000-chat list top to bottom, 60 px per frame, pages loading on the way:
    // frame times, and the time to reach the oldest chat.
    {
      const q = await kit.page();
      await q.goto(`${kit.bridge.url}/#/chats?slot=1`);
      await q.locator('[data-testid=chat-item]').first().waitFor();
      const result = JSON.parse(
        (await q.evaluate(`new Promise((done) => {
          const el = document.querySelector('[data-testid=chat-list]');
          const times = []; let last = performance.now(); const t0 = last; let still = 0;
          const step = () => {
            const now = performance.now(); times.push(now - last); last = now;
            const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
            still = atEnd && !document.querySelector('[data-testid=chat-list-more]') ? still + 1 : 0;
            if (still > 5 || times.length > 5000) return done(JSON.stringify({ times: times.slice(1), ms: now - t0, rows: document.querySelectorAll('[data-testid=chat-item]').length }));
            el.scrollTop += 60; requestAnimationFrame(step);
          };
          requestAnimationFrame(step);
        })`)) as string,
      ) as { times: number[]; ms: number; rows: number };
      figures.chatListScrollFrameP50Ms = round(pct(result.times, 50));
      figures.chatListScrollFrameP95Ms = round(pct(result.times, 95));
      figures.chatListScrollFrames = result.times.length;
      figures.chatListScrollToOldestMs = round(result.ms);
      figures.chatListRowsInDomAtEnd = result.rows;
      figures.chatListOldestReached = (await q.locator('[data-testid=chat-item][data-chat-id="120363025246125486@g.us"]').count()) === 1 ? 'yes' : 'no';
      await q.close();
    }
    const chats = await kit.api<{ data: unknown[] }>('GET', '/api/chats?slot=1&limit=500');
    figures.chatsOnBridgeFirstPage = chats.data.length;
  } finally {
    await kit.close();
  }
  console.log(JSON.stringify(figures, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
