import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { E2E_DATA_DIR } from './env';
import { importSamples } from './helpers';

/** The dataset browser's grid thumbnails, its `?` help, and a hand-picked selection too long for a link. */

const shot = (page: Page, info: { outputPath: (name: string) => string }, name: string) =>
  page.screenshot({ path: info.outputPath(name), fullPage: false });

/** Copies the dataset's items up to `total` (as bench/grid-scroll.ts does), so a selection can be long. */
function growDataset(datasetId: number, total: number) {
  const db = new Database(path.join(E2E_DATA_DIR, 'loupe.db'));
  try {
    const have = db.prepare('SELECT count(*) FROM items WHERE dataset_id = ?').pluck().get(datasetId) as number;
    db.prepare(
      `WITH RECURSIVE seq(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM seq WHERE k + 1 < ?)
       INSERT INTO items (dataset_id, external_id, family, task, instruction_type, source_root_id, source_path,
         source_width, source_height, metadata, status, current_instruction_id, current_candidate_id, import_run_id)
       SELECT i.dataset_id, 'copy-' || s.k || '-' || i.external_id, i.family, i.task, i.instruction_type, i.source_root_id,
         i.source_path, i.source_width, i.source_height, i.metadata, 'pending', i.current_instruction_id,
         i.current_candidate_id, i.import_run_id
       FROM seq s JOIN (SELECT *, row_number() OVER (ORDER BY id) - 1 AS n FROM items WHERE dataset_id = ?) i ON i.n = s.k % ?`,
    ).run(total - have, datasetId, have);
    // The counts the page shows are kept per batch by the importer, not by a trigger: recounted here.
    db.prepare('DELETE FROM item_counts WHERE dataset_id = ?').run(datasetId);
    db.prepare(
      `INSERT INTO item_counts (dataset_id, family, task, instruction_type, status, n)
       SELECT dataset_id, family, task, instruction_type, status, count(*) FROM items WHERE dataset_id = ?
       GROUP BY dataset_id, family, task, instruction_type, status`,
    ).run(datasetId);
  } finally {
    db.close();
  }
}

test('the grid shows the stored thumbnails (384 px), drawn at most 192 CSS px; the ? help lists the list’s keys, which work', async ({
  page,
}, testInfo) => {
  const datasetId = importSamples('thumbs-grid');
  await page.goto(`/datasets/${datasetId}`);
  const grid = page.getByTestId('items-grid');
  const cells = grid.getByTestId('grid-cell');
  await expect(cells).toHaveCount(12);
  const first = cells.first();
  const id = await first.getAttribute('data-item-id');
  await expect(first.getByTestId('thumb').first()).toHaveAttribute('src', `/api/images/source/${id}?size=thumb`);
  await expect(first.getByTestId('thumb').nth(1)).toHaveAttribute('src', /^\/api\/images\/candidate\/\d+\?size=thumb$/);
  const thumbs = () =>
    grid
      .locator('img')
      .evaluateAll((imgs) =>
        (imgs as HTMLImageElement[]).map((img) => ({ natural: Math.max(img.naturalWidth, img.naturalHeight), drawn: img.clientWidth })),
      );
  await expect.poll(async () => (await thumbs()).filter((t) => t.natural === 0).length).toBe(0);
  // 384 px on the long side is at least 2x what a cell draws (the samples are 512–600 px: each one shrunk).
  for (const { natural, drawn } of await thumbs()) {
    expect(natural).toBeLessThanOrEqual(384);
    expect(drawn).toBeLessThanOrEqual(192);
  }
  testInfo.annotations.push({ type: 'thumbnail drawn at', description: `${Math.max(...(await thumbs()).map((t) => t.drawn))} CSS px` });
  await shot(page, testInfo, 'dataset-grid-thumbs.png');

  // The keys, bound through the keymap: End, Home, Space, a move, shift-Space (a range).
  await grid.focus();
  await page.keyboard.press('End');
  await expect(grid).toHaveAttribute('aria-activedescendant', `item-${await cells.last().getAttribute('data-item-id')}`);
  await page.keyboard.press('Home');
  await expect(grid).toHaveAttribute('aria-activedescendant', `item-${id}`);
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+Space');
  await expect(page.getByTestId('selection-count')).toHaveText('3 items selected');

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const label of [
    'Previous / next line (the table: row)',
    'Previous / next item (the grid)',
    'First / last item loaded',
    'Open the item (leads)',
    'Select or unselect the item',
    'Select from the last one picked to here',
  ]) {
    await expect(help.getByText(label, { exact: true })).toBeVisible();
  }
  // While the help is open the list's keys wait.
  await page.keyboard.press('Space');
  await expect(page.getByTestId('selection-count')).toHaveText('3 items selected');
  await shot(page, testInfo, 'dataset-help.png');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('hand-picked ids too many for a link: Review and Export say so in words instead of leading to a page that fails', async ({
  page,
}, testInfo) => {
  const datasetId = importSamples('thumbs-too-many');
  growDataset(datasetId, 1500);
  await page.goto(`/datasets/${datasetId}?view=table`);
  const table = page.getByTestId('items-table-keys');
  await expect(page.getByTestId('items-table').locator('tbody tr').first()).toBeVisible();
  await table.focus();
  await page.keyboard.press('Space'); // the first
  // End moves to the last row loaded; the next page loads as it comes into view. Until all 1,500 are loaded.
  await expect(async () => {
    await page.keyboard.press('End');
    await expect(page.getByTestId('items-table').locator('tbody tr')).toHaveCount(1500, { timeout: 1000 });
  }).toPass({ timeout: 45_000 });
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Space');
  await expect(page.getByTestId('selection-count')).toHaveText('1,500 items selected');
  const bar = page.getByTestId('selection-bar');
  await expect(bar.getByTestId('selection-too-long')).toHaveText(
    'Too many hand-picked items to review or export as a list (1,500): use a filter or “Select all matching” instead.',
  );
  await expect(bar.getByRole('button', { name: 'Review', exact: true })).toBeDisabled();
  await expect(bar.getByRole('button', { name: 'Export', exact: true })).toBeDisabled();
  await expect(bar.getByRole('link', { name: 'Review', exact: true })).toHaveCount(0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, testInfo, 'dataset-too-many-ids.png');

  // "Select all matching" carries the filter, not the ids: its links are short and work.
  await page.getByRole('button', { name: /^Select all 1,500 matching$/ }).click();
  await expect(bar.getByTestId('selection-too-long')).toHaveCount(0);
  await expect(bar.getByRole('link', { name: 'Review', exact: true })).toHaveAttribute('href', `/review?dataset=${datasetId}`);
});
