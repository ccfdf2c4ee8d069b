import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { E2E_OPENAI_PORT } from './env';
import { importSamples, readDb } from './helpers';

const SHOTS = process.env.LOUPE_SHOTS ?? path.join(os.tmpdir(), 'loupe-shots');

/** Holds the local OpenAI server's next answers back, so a job stays queued or running long enough to be seen. */
async function slowNextCalls(request: Page['request'], count: number, slowMs: number) {
  const answer = await request.post(`http://127.0.0.1:${E2E_OPENAI_PORT}/__control/faults`, {
    data: { queue: Array.from({ length: count }, () => ({ slowMs })) },
  });
  expect(answer.ok()).toBe(true);
}

/** One query on the server's database, read-only, closed after. */
function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = readDb();
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const itemsOf = (datasetId: number) =>
  query<{ id: number; externalId: string }>('SELECT id, external_id AS externalId FROM items WHERE dataset_id = ? ORDER BY id', datasetId);

test('the item page asks for a regeneration and shows the new candidate when the job ends, without a reload', async ({ page }) => {
  const datasetId = importSamples('jobs-item');
  const [{ id: itemId }] = query<{ id: number }>(
    `SELECT id FROM items WHERE dataset_id = ? AND family = 'omniedit' ORDER BY id LIMIT 1`,
    datasetId,
  );
  await page.goto(`/items/${itemId}`);
  const panel = page.getByTestId('item-jobs-panel');
  await expect(panel).toContainText('No jobs for this item');
  // Pair regeneration is for HQ-Edit generate items: not offered here, and the panel says why.
  await expect(panel.getByRole('button', { name: 'Pair regeneration' })).toBeDisabled();
  await expect(panel.getByTestId('item-kinds-unavailable')).toContainText('Pair regeneration is for HQ-Edit generate items');
  const pair = page.getByTestId('item-pair');
  const dataset = await pair.getAttribute('data-candidate-id');
  // Nothing reloads the document from here on: a marker on the window would be lost.
  await page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));

  await slowNextCalls(page.request, 1, 3_000);
  await panel.getByRole('button', { name: 'Regeneration', exact: true }).click();
  await expect(page.getByTestId('item-job-notice')).toContainText('Regeneration queued');
  // While it runs the panel says so, and the button waits for it.
  const job = panel.getByTestId('item-jobs').locator('li').first();
  await expect(job).toHaveAttribute('data-status', /queued|running/);
  await expect(panel.getByRole('button', { name: 'Regeneration', exact: true })).toBeDisabled();
  await expect(pair).toHaveAttribute('data-candidate-id', dataset!);

  // It ends: the notice says so and the pair shows the new candidate, read again from the server.
  await expect(page.getByTestId('item-job-notice')).toContainText('Regeneration done', { timeout: 30_000 });
  await expect(job).toHaveAttribute('data-status', 'succeeded');
  const [{ candidate }] = query<{ candidate: number }>(
    `SELECT result_candidate_id AS candidate FROM jobs WHERE item_id = ? AND kind = 'regenerate'`,
    itemId,
  );
  expect(String(candidate)).not.toBe(dataset);
  await expect(pair).toHaveAttribute('data-candidate-id', String(candidate));
  await expect(pair.locator(`img[src*="/api/images/candidate/${candidate}?"]`).first()).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Regeneration', exact: true })).toBeEnabled();
  expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/item-jobs.png`, fullPage: true });
});

test('the Jobs page lists jobs with their item, dataset, times and cost, filters in the URL, and updates live', async ({ page }) => {
  const datasetId = importSamples('jobs-page');
  const [first, second] = itemsOf(datasetId);
  const [{ name: datasetName }] = query<{ name: string }>('SELECT name FROM datasets WHERE id = ?', datasetId);

  // A rewrite that ends at once, then a regeneration held back for a few seconds.
  const ask = async (itemId: number, kind: string) => {
    const answer = await page.request.post(`/api/items/${itemId}/jobs`, { data: { kind } });
    expect(answer.status()).toBe(201);
    return ((await answer.json()) as { jobId: number }).jobId;
  };
  const rewrite = await ask(first.id, 'rewrite');
  await expect
    .poll(() => query<{ status: string }>('SELECT status FROM jobs WHERE id = ?', rewrite)[0].status, { timeout: 30_000 })
    .toBe('succeeded');
  await slowNextCalls(page.request, 1, 4_000);
  const regeneration = await ask(second.id, 'regenerate');

  await page.goto('/jobs');
  const slow = page.getByTestId(`job-${regeneration}`);
  await expect(slow.getByTestId('job-status')).toHaveText(/queued|running/);
  await expect(page.getByTestId('jobs')).toHaveAttribute('data-active', 'true');
  await expect(slow.getByTestId('job-item')).toHaveText(second.externalId);
  await expect(slow).toContainText(datasetName);
  await expect(slow).toContainText('Regeneration');
  // Every column has room at 1440 px: the error column is the rest of the width, and legible.
  expect((await page.getByRole('columnheader', { name: 'Error' }).boundingBox())!.width).toBeGreaterThan(120);
  await page.screenshot({ path: `${SHOTS}/jobs-running.png`, fullPage: true });
  // The page polls while something runs: the row turns succeeded, with a duration and its actual cost, without a reload.
  await expect(slow.getByTestId('job-status')).toHaveText('succeeded', { timeout: 30_000 });
  await expect(slow.getByTestId('job-duration')).toHaveText(/^\d+(\.\d)? (ms|s)$/);
  await expect(slow).toContainText(/\$0\.\d{3}/);
  const [row] = query<{ startedAt: number; finishedAt: number }>(
    'SELECT started_at AS startedAt, finished_at AS finishedAt FROM jobs WHERE id = ?',
    regeneration,
  );
  // Held back 4 s by the local server: the duration shown is the job's own, start to end.
  expect(row.finishedAt - row.startedAt).toBeGreaterThanOrEqual(4_000);
  await expect(slow.getByTestId('job-duration')).toHaveText(`${((row.finishedAt - row.startedAt) / 1000).toFixed(1)} s`);

  // Filter by kind: in the URL, only that kind listed.
  await page.getByLabel('Kind').selectOption('rewrite');
  await expect(page).toHaveURL(/\/jobs\?kind=rewrite$/);
  await expect(page.getByTestId(`job-${rewrite}`)).toBeVisible();
  await expect(page.getByTestId(`job-${regeneration}`)).toHaveCount(0);
  for (const kind of await page.getByTestId('jobs-table').locator('tbody tr td:nth-child(3)').allTextContents()) {
    expect(kind).toBe('Instruction rewrite');
  }
  // And by status, kept with the kind; nothing here is failed.
  await page.getByLabel('Status').selectOption('failed');
  await expect(page).toHaveURL(/\/jobs\?kind=rewrite&status=failed$/);
  await expect(page.getByTestId(`job-${rewrite}`)).toHaveCount(0);
  await page.getByLabel('Status').selectOption('succeeded');
  await expect(page.getByTestId(`job-${rewrite}`)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/jobs-filtered.png`, fullPage: true });
  // A reload keeps the filter (it is the URL).
  await page.reload();
  await expect(page.getByLabel('Kind')).toHaveValue('rewrite');
  await expect(page.getByLabel('Status')).toHaveValue('succeeded');

  // The item link opens the item.
  await page.getByTestId(`job-${rewrite}`).getByTestId('job-item').click();
  await expect(page).toHaveURL(new RegExp(`/items/${first.id}$`));
  await expect(page.getByTestId('item-page')).toHaveAttribute('data-item-id', String(first.id));

  // A bad filter in a hand-edited URL is named, and the rest of it still applies.
  await page.goto('/jobs?kind=nope&status=succeeded');
  await expect(page.getByTestId('jobs-filter-ignored')).toContainText('kind "nope": not a job kind');
  await expect(page.getByLabel('Status')).toHaveValue('succeeded');
  await expect(page.getByLabel('Kind')).toHaveValue('');
});

test('the Jobs page stops polling when no job is queued or running', async ({ page }) => {
  // Nothing queued by this test: any job left by another has ended by the time the page settles.
  await expect
    .poll(() => query<{ open: number }>(`SELECT count(*) AS open FROM jobs WHERE status IN ('queued', 'running')`)[0].open, {
      timeout: 30_000,
    })
    .toBe(0);
  let polls = 0;
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/jobs') polls++;
  });
  await page.goto('/jobs');
  await expect(page.getByTestId('jobs')).toHaveAttribute('data-active', 'false');
  // The look on mount (the server rendered the first page) has come back by now; after it, none.
  await page.waitForTimeout(1_000);
  const settled = polls;
  expect(settled).toBeLessThanOrEqual(2);
  await page.waitForTimeout(5_000);
  expect(polls - settled).toBe(0);
});
