/**
 * bench:grid — how long the dataset browser's grid takes to paint a new screen of thumbnails
 * while a lead scrolls, in Chromium, over a large dataset (issue 13 §1).
 *
 *   npm run bench:grid                       # 100,000 items, 30 screens (a few minutes here)
 *   npm run bench:grid -- --items 1500000    # the size (--seed-only: just build its database)
 *
 * A database in /tmp (reused when it already holds that many items) is the bundled samples
 * copied round-robin up to --items, so every item points at a real sample image; the search
 * index's builder is parked (its watermark set to the last item: this bench is not a search).
 * The production build is served by `next start`. Each screen: the grid scrolls by its own
 * height, and the clock stops when every cell in view is drawn with both thumbnails decoded
 * (a frame after the last image loads; the grid shows the route's 384 px thumbnails). The baseline, in the same run and the same browser, is
 * the first screen: navigation to the page until its thumbnails are painted (page, API and images
 * cold). Reported: p50/p95/max per screen, and p50 and p95 as a ratio of the baseline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { openDb } from '@/db';
import { addUser } from '@/lib/auth/users';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { ensureBuild, freePort, startServer } from './load-server';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    screens: { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
    /** Only build the database (it is reused by the next run). */
    'seed-only': { type: 'boolean', default: false },
    /** Serve the production build as it is (someone else just built it), without checking it is current. */
    'skip-build': { type: 'boolean', default: false },
  },
});
const ITEMS = Number(values.items);
const SCREENS = Number(values.screens);
if (!Number.isSafeInteger(ITEMS) || ITEMS < 100 || !Number.isSafeInteger(SCREENS) || SCREENS < 5) {
  throw new Error('--items must be an integer ≥ 100 and --screens ≥ 5');
}
const log = (message: string) => process.stderr.write(`[bench:grid] ${message}\n`);
const PASSWORD = 'bench-grid-password';

/** The database: the samples imported once, then their items copied round-robin up to ITEMS. */
async function seed(dir: string): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  const db = openDb(path.join(dir, 'loupe.db'));
  try {
    const have = db.$client.prepare('SELECT count(*) FROM items').pluck().get() as number;
    if (have === ITEMS) {
      log(`reusing ${dir} (${ITEMS.toLocaleString('en-US')} items)`);
      return db.$client.prepare('SELECT id FROM datasets LIMIT 1').pluck().get() as number;
    }
    if (have > 0) throw new Error(`${dir} holds ${have} items, not ${ITEMS}: delete it`);
    const started = performance.now();
    const { datasetId } = await importGptEdit(db, path.join(root, 'samples', 'gpt-edit'), { dataset: 'bench-grid' });
    const samples = db.$client.prepare('SELECT count(*) FROM items').pluck().get() as number;
    const copy = db.$client.prepare(
      `WITH RECURSIVE seq(k) AS (SELECT ? UNION ALL SELECT k + 1 FROM seq WHERE k + 1 < ?)
       INSERT INTO items (dataset_id, external_id, family, task, instruction_type, source_root_id, source_path,
         source_width, source_height, metadata, status, current_instruction_id, current_candidate_id, import_run_id)
       SELECT i.dataset_id, 'copy-' || s.k || '-' || i.external_id, i.family, i.task, i.instruction_type, i.source_root_id,
         i.source_path, i.source_width, i.source_height, i.metadata, 'pending', i.current_instruction_id,
         i.current_candidate_id, i.import_run_id
       FROM seq s JOIN (SELECT *, row_number() OVER (ORDER BY id) - 1 AS n FROM items WHERE dataset_id = ?) i ON i.n = s.k % ?`,
    );
    const CHUNK = 100_000;
    for (let from = 0; from < ITEMS - samples; from += CHUNK) {
      const to = Math.min(ITEMS - samples, from + CHUNK);
      db.$client.transaction(() => copy.run(from, to, datasetId, samples))();
      log(`seeded ${(samples + to).toLocaleString('en-US')} items`);
    }
    // Not a search benchmark: the server's index builder finds nothing to do.
    db.$client.prepare('UPDATE search_state SET items_done = (SELECT max(id) FROM items) WHERE id = 1').run();
    await addUser(db, { username: 'bench-lead', roles: ['annotator', 'lead'], password: PASSWORD });
    log(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return datasetId;
  } finally {
    db.$client.close();
  }
}

/**
 * In the page: waits until every cell in the grid's view is drawn with both thumbnails decoded,
 * then one more frame (the paint), and answers performance.now(). A string, so the bundler's
 * helpers (tsx names functions with __name) never reach the page.
 */
const WAIT_PAINTED = `(async () => {
  const grid = document.querySelector('[data-testid=items-grid]');
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  for (;;) {
    const view = grid.getBoundingClientRect();
    const rows = [...grid.querySelectorAll('[role=row]')].filter((row) => {
      const r = row.getBoundingClientRect();
      return r.bottom > view.top && r.top < view.bottom;
    });
    const loading = rows.some((row) => !row.querySelector('[data-testid=grid-cell]'));
    const images = rows.flatMap((row) => [...row.querySelectorAll('img')]);
    if (rows.length > 0 && !loading && images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0)) {
      await frame();
      return performance.now();
    }
    await frame();
  }
})()`;
const waitPainted = (page: Page) => page.evaluate<number>(WAIT_PAINTED);

/** In the page: scrolls the grid by its height and answers the moment it did. */
const SCROLL = `(() => {
  const grid = document.querySelector('[data-testid=items-grid]');
  const t = performance.now();
  grid.scrollTop += grid.clientHeight;
  return t;
})()`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  const dir = `/tmp/loupe-bench-grid-${ITEMS}`;
  const datasetId = await seed(dir);
  if (values['seed-only']) return;
  if (!values['skip-build']) await ensureBuild(root);
  const server = await startServer(root, await freePort(), dir);
  const browser = await chromium.launch({
    executablePath: fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
    args: ['--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: server.url });
    const signIn = await context.request.post('/api/auth/sign-in/username', {
      data: { username: 'bench-lead', password: PASSWORD },
      headers: { Origin: server.url },
    });
    if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()} ${await signIn.text()}`);
    // Where a screen's time goes, server side: the page's HTML, one page of items, one cached image at the
    // grid's size (its 384 px thumbnail) and at the review's (the 1600 px preview the grid used before), median of 5 each.
    const timed = async (url: string) => {
      const runs: number[] = [];
      for (let i = 0; i < 6; i++) {
        const start = performance.now();
        const response = await context.request.get(url);
        await response.body();
        if (!response.ok()) throw new Error(`${url}: HTTP ${response.status()}`);
        if (i > 0) runs.push(performance.now() - start); // the first warms the route
      }
      return Number(runs.sort((a, b) => a - b)[2].toFixed(1));
    };
    // The largest source image among the last items (the copies cycle through the samples, 512–600 px).
    const probeDb = openDb(path.join(dir, 'loupe.db'));
    const probe = probeDb.$client
      .prepare('SELECT id FROM items WHERE id > (SELECT max(id) - 100 FROM items) ORDER BY source_width * source_height DESC, id LIMIT 1')
      .pluck()
      .get() as number;
    probeDb.$client.close();
    const serverTimes = {
      pageHtmlMs: await timed(`/datasets/${datasetId}`),
      itemsPageMs: await timed(`/api/datasets/${datasetId}/items?limit=120`),
      thumbnailMs: await timed(`/api/images/source/${probe}?size=thumb`),
      previewMs: await timed(`/api/images/source/${probe}?size=preview`),
    };
    const bytesOf = async (url: string) => (await (await context.request.get(url)).body()).length;
    const imageBytes = {
      thumbnail: await bytesOf(`/api/images/source/${probe}?size=thumb`),
      preview: await bytesOf(`/api/images/source/${probe}?size=preview`),
    };
    const page = await context.newPage();
    // Warm the server's code paths (route compilation, statements) on another dataset page load, not timed.
    await page.goto(`/datasets/${datasetId}`);
    await waitPainted(page);

    // Baseline: a fresh page (a new context: no HTTP cache), navigation to the first screen painted.
    const cold = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      baseURL: server.url,
      storageState: await context.storageState(),
    });
    const fresh = await cold.newPage();
    await fresh.goto(`/datasets/${datasetId}`);
    const firstScreen = await waitPainted(fresh);
    const perScreen = fresh.locator('[data-testid=items-grid] [data-testid=grid-cell]');
    const cells = await perScreen.count();
    const times: number[] = [];
    for (let i = 0; i < SCREENS; i++) {
      const start = await fresh.evaluate<number>(SCROLL);
      times.push((await waitPainted(fresh)) - start);
    }
    const scrolled = await fresh.evaluate<number>(`document.querySelector('[data-testid=items-grid]').scrollTop`);
    // What the images of the first screen and the scrolled ones weighed (each item's URL is its own: no cache hits).
    const imageKb = await fresh.evaluate<number>(
      `performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/images/')).reduce((n, e) => n + e.encodedBodySize, 0) / 1024`,
    );
    const sorted = [...times].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p95 = percentile(sorted, 95);
    const report = {
      items: ITEMS,
      screens: SCREENS,
      cellsRenderedAtStart: cells,
      scrolledPx: Math.round(scrolled),
      baselineFirstScreenMs: Number(firstScreen.toFixed(1)),
      screenP50Ms: Number(p50.toFixed(1)),
      screenP95Ms: Number(p95.toFixed(1)),
      screenMaxMs: Number(sorted.at(-1)!.toFixed(1)),
      p50OverBaseline: Number((p50 / firstScreen).toFixed(3)),
      p95OverBaseline: Number((p95 / firstScreen).toFixed(3)),
      server: serverTimes,
      imageBytes,
      imageKbPerScreen: Math.round(imageKb / (SCREENS + 1)),
      loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))),
    };
    if (values.json) console.log(JSON.stringify(report));
    else {
      console.log(`bench:grid  ${ITEMS.toLocaleString('en-US')} items, ${SCREENS} screens scrolled (1440×900, Chromium, next start)`);
      console.log(`  baseline: first screen painted ${report.baselineFirstScreenMs} ms after navigation`);
      console.log(`  new screen painted: p50 ${report.screenP50Ms} ms, p95 ${report.screenP95Ms} ms, max ${report.screenMaxMs} ms`);
      console.log(`  ratio to baseline: p50 ${report.p50OverBaseline}, p95 ${report.p95OverBaseline}`);
      console.log(
        `  server (median of 5): page HTML ${serverTimes.pageHtmlMs} ms, a page of 120 items ${serverTimes.itemsPageMs} ms, ` +
          `one thumbnail ${serverTimes.thumbnailMs} ms (${imageBytes.thumbnail} B; the 1600 px preview: ${serverTimes.previewMs} ms, ${imageBytes.preview} B)`,
      );
      console.log(`  images per screen: ${report.imageKbPerScreen} KB`);
      console.log(`  load average at the end: ${report.loadAverage.join(', ')}`);
    }
    await cold.close();
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
