/**
 * bench:s3-review — what the S3 image store costs a reviewer (issue 12, "S3 store"): the time
 * from a key press (accept) on the review page to the next pair painted, with the images in a
 * bucket (LOUPE_STORE=s3://…, an s3rver process on 127.0.0.1 as the bucket: the browser follows
 * the image route's 302 to a presigned URL) against the local store, in the same run.
 *
 *   npm run bench:s3-review                          # 120 items, 100 presses per store (a few minutes here)
 *   npm run bench:s3-review -- --items 1000 --presses 800 --think-ms 300
 *
 * Data: --items distinct pairs of 1024×1024 PNGs (noise, about 3 MB each, so no two images are
 * alike and nothing is served from a cache by accident), packed as a tarball and imported into
 * two databases: one with the local store, one with the bucket (the tarball import writes
 * images into the store in both cases). The production build is served twice by `next start`,
 * one server per store, both up at once; the presses alternate between the two pages, so load
 * and drift on this shared machine fall on both alike. A press is timed in the page, from the
 * keydown event to the frame after both images of the next item are decoded; between presses the
 * reviewer looks for --think-ms (the page prefetches the next items' images meanwhile, as it does
 * for people). The first press of each page is a warm-up, not counted. Reported: p50, p95 and max
 * per store, and S3 / local for p50 and p95. `--screenshot FILE` saves the S3 page's first item.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from '@playwright/test';
import sharp from 'sharp';
import { openDb } from '@/db';
import { addUser } from '@/lib/auth/users';
import { importTarball } from '@/lib/import/tarball/import-tarball';
import { listObjects } from '@/lib/s3/objects';
import { startS3Server, type S3Server } from '@/lib/test/s3';
import { ensureBuild, freePort, startServer, type Server } from './load-server';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '120' },
    presses: { type: 'string', default: '100' },
    'think-ms': { type: 'string', default: '500' },
    screenshot: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const ITEMS = Number(values.items);
const PRESSES = Number(values.presses);
const THINK_MS = Number(values['think-ms']);
if (!Number.isSafeInteger(ITEMS) || ITEMS < 10 || !Number.isSafeInteger(PRESSES) || PRESSES < 5 || PRESSES > ITEMS - 5) {
  throw new Error('--items must be an integer ≥ 10 and --presses between 5 and items − 5');
}
if (!Number.isFinite(THINK_MS) || THINK_MS < 0) throw new Error('--think-ms must be ≥ 0');
const log = (message: string) => process.stderr.write(`[bench:s3-review] ${message}\n`);
const PASSWORD = 'bench-s3-review-password';
const BUCKET = 'loupe-bench';
const SIDE = 1024;

/** The items as a tarball of the release's layout (made once per size, reused). */
async function tarball(dir: string): Promise<string> {
  const parts = path.join(dir, 'parts');
  const archive = path.join(parts, 'omniedit.tar.gz');
  if (fs.existsSync(archive)) return parts;
  const layout = path.join(dir, 'layout');
  fs.rmSync(layout, { recursive: true, force: true });
  const task = path.join(layout, 'omniedit', 'style');
  for (const sub of ['input', 'output', 'metadata']) fs.mkdirSync(path.join(task, sub), { recursive: true });
  const records = [];
  const started = performance.now();
  for (let n = 1; n <= ITEMS; n++) {
    const name = `${String(n).padStart(8, '0')}.png`;
    for (const [sub, sigma] of [
      ['input', 40],
      ['output', 55],
    ] as const) {
      const png = await sharp({
        create: {
          width: SIDE,
          height: SIDE,
          channels: 3,
          background: { r: n % 256, g: 90, b: 160 },
          noise: { type: 'gaussian', mean: 128, sigma },
        },
      })
        .png()
        .toBuffer();
      fs.writeFileSync(path.join(task, sub, name), png);
    }
    records.push({
      id: `omniedit_style_${String(n).padStart(8, '0')}`,
      dataset_source: 'omniedit',
      task: 'style',
      input: `input/${name}`,
      output: `output/${name}`,
      instruction: `Render picture ${n} as a watercolour painting.`,
      instruction_type: 'original',
      input_description: `Synthetic picture ${n}.`,
    });
    if (n % 50 === 0) log(`made ${n} of ${ITEMS} pairs`);
  }
  fs.writeFileSync(path.join(task, 'metadata', 'omniedit_style.json'), JSON.stringify(records, null, 1));
  fs.mkdirSync(parts, { recursive: true });
  execFileSync('tar', ['-czf', `${archive}.tmp`, '-C', layout, 'omniedit']);
  fs.renameSync(`${archive}.tmp`, archive);
  fs.rmSync(layout, { recursive: true, force: true });
  log(
    `made ${ITEMS} pairs (${(fs.statSync(archive).size / 2 ** 20).toFixed(0)} MB tarball) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  return parts;
}

/** A fresh data folder with the items imported into the given store (LOUPE_STORE set or not) and a reviewer. */
async function seed(dataDir: string, parts: string, store: string | undefined): Promise<number> {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  if (store) process.env.LOUPE_STORE = store;
  else delete process.env.LOUPE_STORE;
  const db = openDb(path.join(dataDir, 'loupe.db'));
  try {
    const summary = await importTarball(db, [parts], { dataset: 'bench-s3-review' });
    if (summary.imported !== ITEMS) throw new Error(`imported ${summary.imported} of ${ITEMS} items`);
    // Not a search benchmark: the server's index builder finds nothing to do.
    db.$client.prepare('UPDATE search_state SET items_done = (SELECT max(id) FROM items) WHERE id = 1').run();
    await addUser(db, { username: 'bench-reviewer', roles: ['annotator'], password: PASSWORD });
    return summary.datasetId;
  } finally {
    db.$client.close();
    delete process.env.LOUPE_STORE;
  }
}

/** The review page of a server, signed in as the reviewer, with its first item painted. */
async function reviewPage(browser: Browser, server: Server, datasetId: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: server.url });
  const signIn = await context.request.post('/api/auth/sign-in/username', {
    data: { username: 'bench-reviewer', password: PASSWORD },
    headers: { Origin: server.url },
  });
  if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()} ${await signIn.text()}`);
  const page = await context.newPage();
  await page.goto(`/review?dataset=${datasetId}`);
  await painted(page, -1);
  return page;
}

/**
 * In the page: waits until the item shown is not `previous` and both its images are decoded,
 * then one more frame (the paint); answers performance.now() and the item's id.
 */
const painted = (page: Page, previous: number) =>
  page.evaluate(async (previous) => {
    // (No named helpers in here: the bundler's name-keeping wrappers do not exist in the page.)
    for (;;) {
      const item = document.querySelector<HTMLElement>('[data-testid=review-item]');
      const id = Number(item?.dataset.itemId ?? NaN);
      const images = item ? [...item.querySelectorAll<HTMLImageElement>('img')] : [];
      if (item && id !== previous && images.length >= 2 && images.every((img) => img.complete && img.naturalWidth > 0)) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        return { at: performance.now(), id };
      }
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  }, previous);

/** One accept: the keydown's time in the page, to the next item painted (ms). */
async function press(page: Page): Promise<number> {
  const previous = await page.evaluate(() => {
    (window as unknown as { keyAt?: number }).keyAt = undefined;
    window.addEventListener(
      'keydown',
      () => {
        (window as unknown as { keyAt?: number }).keyAt = performance.now();
      },
      { capture: true, once: true },
    );
    return Number(document.querySelector<HTMLElement>('[data-testid=review-item]')!.dataset.itemId);
  });
  await page.keyboard.press('a');
  const { at } = await painted(page, previous);
  const keyAt = await page.evaluate(() => (window as unknown as { keyAt?: number }).keyAt);
  if (keyAt === undefined) throw new Error('the key press did not reach the page');
  return at - keyAt;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1)! };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const dir = `/tmp/loupe-bench-s3-review-${ITEMS}`;
  const parts = await tarball(dir);
  let s3: S3Server | undefined;
  const servers: Server[] = [];
  let browser: Browser | undefined;
  try {
    s3 = await startS3Server(BUCKET);
    Object.assign(process.env, s3.env);
    const store = `s3://${BUCKET}/store`;
    let started = performance.now();
    const localDataset = await seed(path.join(dir, 'local'), parts, undefined);
    const localImport = (performance.now() - started) / 1000;
    started = performance.now();
    const s3Dataset = await seed(path.join(dir, 's3'), parts, store);
    const s3Import = (performance.now() - started) / 1000;
    log(`imported ${ITEMS} items: local store ${localImport.toFixed(1)} s, S3 store ${s3Import.toFixed(1)} s`);

    await ensureBuild(root);
    const local = await startServer(root, await freePort(), path.join(dir, 'local'));
    servers.push(local);
    const bucket = await startServer(root, await freePort(), path.join(dir, 's3'), { ...s3.env, LOUPE_STORE: store });
    servers.push(bucket);
    browser = await chromium.launch({
      executablePath: fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
      args: [
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const pages = { local: await reviewPage(browser, local, localDataset), s3: await reviewPage(browser, bucket, s3Dataset) };
    if (values.screenshot) {
      await pages.s3.screenshot({ path: values.screenshot });
      log(`screenshot of the review page served from the bucket: ${values.screenshot}`);
    }
    const shown = await pages.s3.evaluate(() =>
      [...document.querySelectorAll<HTMLImageElement>('[data-testid=review-item] img')].map((img) => img.currentSrc),
    );
    log(`S3 page images: ${shown.join(', ')}`);
    const times = { local: [] as number[], s3: [] as number[] };
    for (let i = 0; i <= PRESSES; i++) {
      for (const which of i % 2 ? (['s3', 'local'] as const) : (['local', 's3'] as const)) {
        await sleep(THINK_MS);
        const ms = await press(pages[which]);
        if (i > 0) times[which].push(ms); // the first press warms up
      }
      if (i % 20 === 0) log(`${i} of ${PRESSES} presses per store`);
    }
    // The bucket's images really came from the bucket: a preview per item shown is stored beside the originals.
    let previews = 0;
    for await (const object of listObjects(BUCKET, 'store/previews/')) if (object.key.endsWith('.webp')) previews++;
    const l = stats(times.local);
    const b = stats(times.s3);
    const report = {
      items: ITEMS,
      pressesPerStore: PRESSES,
      thinkMs: THINK_MS,
      localP50Ms: Number(l.p50.toFixed(1)),
      localP95Ms: Number(l.p95.toFixed(1)),
      localMaxMs: Number(l.max.toFixed(1)),
      s3P50Ms: Number(b.p50.toFixed(1)),
      s3P95Ms: Number(b.p95.toFixed(1)),
      s3MaxMs: Number(b.max.toFixed(1)),
      p50Ratio: Number((b.p50 / l.p50).toFixed(3)),
      p95Ratio: Number((b.p95 / l.p95).toFixed(3)),
      previewFilesInBucket: previews,
      importSeconds: { local: Number(localImport.toFixed(1)), s3: Number(s3Import.toFixed(1)) },
    };
    if (values.json) console.log(JSON.stringify(report));
    else {
      console.log(
        `bench:s3-review  ${ITEMS} items of 1024×1024 PNG pairs, ${PRESSES} accepts per store, ${THINK_MS} ms between paint and press (1440×900, Chromium, next start)`,
      );
      console.log(
        `  local store (baseline): key press to next pair painted p50 ${report.localP50Ms} ms, p95 ${report.localP95Ms} ms, max ${report.localMaxMs} ms`,
      );
      console.log(`  S3 store (s3rver, presigned redirects): p50 ${report.s3P50Ms} ms, p95 ${report.s3P95Ms} ms, max ${report.s3MaxMs} ms`);
      console.log(`  S3 / local: p50 ${report.p50Ratio}, p95 ${report.p95Ratio}  (previews stored in the bucket: ${previews})`);
    }
  } finally {
    await browser?.close();
    for (const server of servers) await server.stop();
    await s3?.stop();
  }
}

await main();
