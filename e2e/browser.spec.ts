import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { E2E_DATA_DIR } from './env';
import { currentItemId, importSamples, readDb } from './helpers';

/** The dataset browser (issue 13 §1): grid, keys, search, filters, chips, selection, a lead's decision, Export these. */

const shot = (page: Page, info: { outputPath: (name: string) => string }, name: string) =>
  page.screenshot({ path: info.outputPath(name), fullPage: false });

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core over the page as it stands: its serious and critical violations, each as "id: targets". */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`)) as {
    id: string;
    impact: string | null;
    nodes: { target: string[] }[];
  }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Gives each item's current candidate a judge_overall signal of i/n, as the export test does. */
function seedSignals(datasetId: number): number[] {
  const db = new Database(path.join(E2E_DATA_DIR, 'loupe.db'));
  try {
    const items = db.prepare('SELECT id, current_candidate_id AS candidate FROM items WHERE dataset_id = ? ORDER BY id').all(datasetId) as {
      id: number;
      candidate: number;
    }[];
    const insert = db.prepare("INSERT INTO signals (candidate_id, item_id, dataset_id, name, value) VALUES (?, ?, ?, 'judge_overall', ?)");
    items.forEach((item, i) => insert.run(item.candidate, item.id, datasetId, i / items.length));
    return items.map((_, i) => i / items.length);
  } finally {
    db.close();
  }
}

test('the grid shows pairs as thumbnails; arrows move, Space selects, Enter opens the item; the table is a toggle', async ({
  page,
}, testInfo) => {
  const datasetId = importSamples('browser-grid');
  await page.goto(`/datasets/${datasetId}`);
  const grid = page.getByTestId('items-grid');
  const cells = grid.getByTestId('grid-cell');
  await expect(cells).toHaveCount(12);
  await expect(page.getByTestId('matching-count')).toHaveText('12 matching');
  const first = cells.first();
  const id = await first.getAttribute('data-item-id');
  await expect(first.getByTestId('thumb').first()).toHaveAttribute('src', `/api/images/source/${id}?size=thumb`);
  await expect(first.getByTestId('thumb').nth(1)).toHaveAttribute('src', /^\/api\/images\/candidate\/\d+\?size=thumb$/);
  // Every thumbnail on screen loads.
  await expect
    .poll(() => grid.locator('img').evaluateAll((imgs) => imgs.filter((img) => !(img as HTMLImageElement).naturalWidth).length))
    .toBe(0);
  await shot(page, testInfo, 'browser-grid.png');
  expect(await seriousViolations(page)).toEqual([]);

  await grid.focus();
  await expect(grid).toHaveAttribute('aria-activedescendant', `item-${id}`);
  await page.keyboard.press('ArrowRight');
  const second = await cells.nth(1).getAttribute('data-item-id');
  await expect(grid).toHaveAttribute('aria-activedescendant', `item-${second}`);
  const columns = await grid.evaluate((el) => getComputedStyle(el.querySelector('[role=row]')!).gridTemplateColumns.split(' ').length);
  await page.keyboard.press('ArrowDown');
  const below = await cells.nth(1 + columns).getAttribute('data-item-id');
  await expect(grid).toHaveAttribute('aria-activedescendant', `item-${below}`);
  await page.keyboard.press('Space');
  await expect(cells.nth(1 + columns)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('selection-count')).toHaveText('1 item selected');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/items/${below}\\?from=`));

  await page.goBack();
  await page.getByRole('button', { name: 'table' }).click();
  await expect(page).toHaveURL(/view=table/);
  await expect(page.getByTestId('items-table').locator('tbody tr')).toHaveCount(12);
  await shot(page, testInfo, 'browser-table.png');
  expect(await seriousViolations(page)).toEqual([]);
});

test('search marks its word in the instructions; chips name the filters and remove them', async ({ page }) => {
  const datasetId = importSamples('browser-search');
  const db = readDb();
  let word: string;
  try {
    const text = db
      .prepare(
        'SELECT v.text FROM items i JOIN instruction_versions v ON v.id = i.current_instruction_id WHERE i.dataset_id = ? ORDER BY i.id LIMIT 1',
      )
      .pluck()
      .get(datasetId) as string;
    word = text.split(/[^A-Za-z]+/).find((w) => w.length >= 5)!;
  } finally {
    db.close();
  }
  await page.goto(`/datasets/${datasetId}`);
  await page.getByLabel('Search instructions').fill(word.toUpperCase());
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`q=${word.toUpperCase()}`));
  const marks = page.getByTestId('items-grid').getByTestId('match');
  await expect(marks.first()).toBeVisible();
  for (const text of await marks.allTextContents()) expect(text.toLowerCase()).toBe(word.toLowerCase());

  // Chips: one per active term (a signal with its range is one chip); removing one drops its terms only.
  await page.goto(`/datasets/${datasetId}?family=omniedit&signal=judge_overall&smin=0.2&smax=0.9&type=original`);
  const chips = page.getByTestId('filter-chip');
  await expect(chips).toHaveText(['omniedit: all tasks×', 'Type: original×', 'judge_overall 0.2–0.9×']);
  await page.getByRole('button', { name: 'Remove filter judge_overall 0.2–0.9' }).click();
  await expect(page).toHaveURL(/family=omniedit&type=original$/);
  await expect(chips).toHaveCount(2);
});

test('a bad filter value is explained beside its field, what was typed stays, and the list keeps its filter', async ({
  page,
}, testInfo) => {
  const datasetId = importSamples('browser-bad');
  await page.goto(`/datasets/${datasetId}?signal=judge_overall`);
  await page.getByLabel('Signal min').fill('abc');
  await page.getByLabel('Signal max').fill('0.5');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('problem-signalMin')).toHaveText('“abc” is not a number: write one like 0.25');
  await expect(page.getByLabel('Signal min')).toHaveValue('abc');
  await expect(page.getByLabel('Signal max')).toHaveValue('0.5');
  await expect(page.getByLabel('Signal min')).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/\?signal=judge_overall$/);
  await shot(page, testInfo, 'browser-filter-error.png');
  expect(await seriousViolations(page)).toEqual([]);
  // No raw validation message anywhere on the page.
  await expect(page.locator('body')).not.toContainText(/Invalid input|expected number|received/i);

  // A bad value in the URL itself: explained at its field, not applied, nothing reset.
  await page.goto(`/datasets/${datasetId}?signal=judge_overall&smin=high`);
  await expect(page.getByTestId('problem-signalMin')).toHaveText('“high” is not a number: write one like 0.25');
  await expect(page.getByLabel('Signal min')).toHaveValue('high');
  await expect(page.getByTestId('filter-problem')).toBeVisible();
  await expect(page.locator('body')).not.toContainText(/Invalid input|expected number|received/i);
});

test('shift-click selects a range; a lead decides it after a confirmation naming the count', async ({ page }, testInfo) => {
  const datasetId = importSamples('browser-decide');
  await page.goto(`/datasets/${datasetId}`);
  const cells = page.getByTestId('items-grid').getByTestId('grid-cell');
  await expect(cells).toHaveCount(12);
  await cells.nth(1).click();
  await cells.nth(4).click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('selection-count')).toHaveText('4 items selected');
  const ids = await Promise.all([1, 2, 3, 4].map(async (i) => Number(await cells.nth(i).getAttribute('data-item-id'))));
  for (const i of [1, 2, 3, 4]) await expect(cells.nth(i)).toHaveAttribute('aria-selected', 'true');
  await expect(cells.nth(0)).toHaveAttribute('aria-selected', 'false');
  // A click on a selected item takes it out.
  await cells.nth(4).click();
  await expect(page.getByTestId('selection-count')).toHaveText('3 items selected');

  await page.getByRole('button', { name: 'Reject all…' }).click();
  const dialog = page.getByTestId('decide-dialog');
  await expect(dialog.getByRole('heading')).toHaveText('Reject 3 items?');
  await shot(page, testInfo, 'browser-decide-confirm.png');
  expect(await seriousViolations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Reject 3 items' }).click();
  await expect(page.getByTestId('decide-result')).toHaveText('Rejected 3 items as your decision.');
  await expect(cells.nth(1).getByText('rejected')).toBeVisible();

  const db = readDb();
  try {
    const rows = db
      .prepare('SELECT item_id AS id, reviewer, kind, decision FROM verdicts WHERE item_id IN (?, ?, ?, ?) ORDER BY item_id')
      .all(...ids) as { id: number; reviewer: string; kind: string; decision: string }[];
    expect(rows.map((r) => [r.id, r.kind, r.decision])).toEqual(ids.slice(0, 3).map((id) => [id, 'adjudication', 'reject']));
    const lead = db.prepare("SELECT id FROM users WHERE username = 'lead'").pluck().get();
    expect(new Set(rows.map((r) => r.reviewer))).toEqual(new Set([lead]));
  } finally {
    db.close();
  }

  // "All N matching" names the filter's count.
  await page.getByRole('button', { name: 'Select all 12 matching' }).click();
  await expect(page.getByTestId('selection-count')).toHaveText('12 items selected (all matching)');
});

test('"Export these" and a selection\'s Export keep every filter term, signal ranges included', async ({ page }) => {
  const datasetId = importSamples('browser-export');
  const values = seedSignals(datasetId);
  const inRange = values.filter((v) => v >= 0.25 && v <= 0.75).length;
  await page.goto(`/datasets/${datasetId}?signal=judge_overall&smin=0.25&smax=0.75&type=original&view=table`);
  await expect(page.getByTestId('items-table').locator('tbody tr')).toHaveCount(await countOriginal(datasetId, 0.25, 0.75));
  expect(inRange).toBeGreaterThan(0);
  const review = await page.getByRole('link', { name: 'Review these' }).getAttribute('href');
  expect(review).toBe(`/review?dataset=${datasetId}&type=original&signal=judge_overall&smin=0.25&smax=0.75`);
  await page.getByRole('link', { name: 'Export these' }).click();
  await expect(page).toHaveURL(/\/exports\?/);
  const extra = page.getByTestId('export-extra-filter');
  await expect(extra).toContainText('signal: judge_overall');
  await expect(extra).toContainText('signalMin: 0.25');
  await expect(extra).toContainText('signalMax: 0.75');
  const url = new URL(page.url());
  expect(Object.fromEntries(url.searchParams)).toMatchObject({
    dataset: String(datasetId),
    type: 'original',
    signal: 'judge_overall',
    smin: '0.25',
    smax: '0.75',
  });
});

test('"Review these" keeps a signal range: the review page names it and brings only the items in it', async ({ page }, testInfo) => {
  const datasetId = importSamples('browser-review-range');
  seedSignals(datasetId);
  const db = readDb();
  const inRange = db
    .prepare(
      `SELECT s.item_id FROM signals s JOIN items i ON i.current_candidate_id = s.candidate_id
       WHERE s.dataset_id = ? AND s.name = 'judge_overall' AND s.value BETWEEN 0.25 AND 0.5 ORDER BY s.item_id`,
    )
    .pluck()
    .all(datasetId) as number[];
  db.close();
  expect(inRange.length).toBeGreaterThan(1);
  await page.goto(`/datasets/${datasetId}?signal=judge_overall&smin=0.25&smax=0.5&view=table`);
  await expect(page.getByTestId('items-table').locator('tbody tr')).toHaveCount(inRange.length);
  await page.getByRole('link', { name: 'Review these' }).click();
  await expect(page).toHaveURL(/\/review\?.*smin=0\.25/);
  await expect(page.getByTestId('extra-term')).toHaveText(['judge_overall 0.25–0.5×']);
  await expect(page.getByTestId('progress')).toContainText(`0 / ${inRange.length} reviewed`);
  await currentItemId(page);
  await shot(page, testInfo, 'review-signal-range.png');
  // Accept every item the queue brings, until it is empty: exactly the items in the range.
  const seen: number[] = [];
  for (let i = 0; i <= inRange.length; i++) {
    const empty = page.getByTestId('queue-empty');
    const item = page.getByTestId('review-item');
    await expect(empty.or(item)).toBeVisible();
    if (await empty.isVisible()) break;
    const id = await currentItemId(page);
    seen.push(id);
    await page.keyboard.press('a');
    await expect(page.getByTestId('progress')).toContainText(`${seen.length} / ${inRange.length} reviewed`);
    await expect(item.and(page.locator(`[data-item-id="${id}"]`))).toHaveCount(0);
  }
  expect(seen.sort((a, b) => a - b)).toEqual(inRange);
  await expect(page.getByTestId('queue-empty')).toBeVisible();
});

async function countOriginal(datasetId: number, min: number, max: number): Promise<number> {
  const db = readDb();
  try {
    return db
      .prepare(
        `SELECT count(*) FROM items i JOIN signals s ON s.candidate_id = i.current_candidate_id AND s.name = 'judge_overall'
         WHERE i.dataset_id = ? AND i.instruction_type = 'original' AND s.value BETWEEN ? AND ?`,
      )
      .pluck()
      .get(datasetId, min, max) as number;
  } finally {
    db.close();
  }
}
