/**
 * Issue 13, part 3: every page finished. The exports page names people and wraps folders; empty
 * states offer the next step; the team page explains overlap 1; the dashboard reads right; the
 * review page's actions fit one row and a signal-ordered queue says what it leaves out; the item
 * page's back link goes where the user came from, and never to another site.
 */
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { storageStateOf } from './env';
import { currentItemId, loupe, pageAs, readDb, verdictsRecorded } from './helpers';

const root = path.resolve(import.meta.dirname, '..');
const SHOTS = process.env.LOUPE_SHOTS ?? path.join(os.tmpdir(), 'loupe-shots');

function importNamed(prefix: string): { datasetId: number; name: string } {
  const name = `${prefix}-${Date.now()}`;
  return { datasetId: loupe(['import', path.join(root, 'samples', 'gpt-edit'), '--dataset', name]).datasetId, name };
}

test('exports show the user by name and wrap folder paths at separators', async ({ page, request }) => {
  const { datasetId } = importNamed('polish-exports');
  const started = await request.post('/api/exports', { data: { format: 'jsonl', status: 'all', datasetId } });
  expect(started.status()).toBe(202);
  const { exportId } = await started.json();
  await page.goto('/exports');
  const row = page.getByTestId(`export-${exportId}`);
  await expect(row.getByTestId('export-status')).toHaveText('done');
  await expect(row.locator('td').nth(1)).toHaveText('lead');
  const folder = row.getByTestId('export-folder');
  await expect(folder).toContainText(path.join('data', 'e2e', 'exports'));
  // A break opportunity after every separator.
  const segments = (await folder.getAttribute('title'))!.split('/').length - 1;
  expect(await folder.locator('wbr').count()).toBe(segments);
  // TODO(E2): the rendered wrap (no folder name but the last broken across lines at 1000 px) is not checked:
  // measured with Range.getClientRects, one inner segment came out on two lines, not yet explained.
  await page.screenshot({ path: `${SHOTS}/exports.png`, fullPage: true });
});

test('the signals page offers to compute signals, and they arrive', async ({ page }) => {
  const { datasetId } = importNamed('polish-signals');
  await page.goto(`/signals?dataset=${datasetId}`);
  await expect(page.getByTestId('signals-empty')).toContainText('No signals computed');
  await page.screenshot({ path: `${SHOTS}/signals-empty.png`, fullPage: true });
  await page.getByTestId('compute-signals').click();
  await expect(page.getByTestId('signals-queued')).toContainText('Queued 12 signal jobs');
  await expect
    .poll(
      () => {
        const db = readDb();
        try {
          return db.prepare(`SELECT count(DISTINCT item_id) FROM signals WHERE dataset_id = ? AND name = 'ssim'`).pluck().get(datasetId);
        } finally {
          db.close();
        }
      },
      { timeout: 30_000 },
    )
    .toBe(12);
});

test('team page with overlap 1 explains agreement; admins get no "your verdicts"', async ({ page, browser }) => {
  const { datasetId } = importNamed('polish-team');
  await page.goto(`/team?dataset=${datasetId}`);
  const note = page.getByTestId('agreement-needs-overlap');
  await expect(note).toContainText('Agreement needs an overlap of 2 or more');
  await expect(page.getByTestId('agreement-card')).toHaveCount(0);
  await expect(page.getByText('no interval')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/team-overlap-1.png`, fullPage: true });
  await note.getByRole('link', { name: 'Set overlap' }).click();
  await expect(page).toHaveURL(/#review-settings$/);

  for (const user of ['admin', 'auditor'] as const) {
    const other = await pageAs(browser, user);
    await other.goto(`/team?dataset=${datasetId}`);
    await expect(other.getByTestId('agreement-needs-overlap')).toContainText('A lead sets it');
    await expect(other.getByText('You have no verdicts')).toHaveCount(0);
    await expect(other.getByRole('heading', { name: 'Annotators' })).toHaveCount(0);
    await other.context().close();
  }
});

test('dashboard: the verdicts note reads right', async ({ page }) => {
  const { datasetId } = importNamed('polish-dashboard');
  // One verdict today, on a fresh dataset.
  await page.goto(`/review?dataset=${datasetId}`);
  const accepted = await currentItemId(page);
  await page.keyboard.press('a');
  await verdictsRecorded(accepted, 1);
  await page.goto(`/dashboard?dataset=${datasetId}`);
  const stats = page.getByTestId('dashboard-stats');
  await expect(stats).toContainText('1 today');
  await expect(stats).not.toContainText('0 a day');
  // TODO(E2): integer ticks on the count axes and the explained empty rows (758eea4) are not checked here yet: the
  // progress chart showed no '.recharts-xAxis .recharts-cartesian-axis-tick-value' within 10 s in the e2e build.
  await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true });
});

test.describe('review page', () => {
  test('the action bar fits one row at 1440 px', async ({ page }) => {
    const { datasetId } = importNamed('polish-actions');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`/review?dataset=${datasetId}`);
    await expect(page.getByTestId('review-item')).toBeVisible();
    const bar = page.getByRole('button', { name: /^Accept/ }).locator('..');
    const tops = await bar.locator(':scope > button').evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).offsetTop));
    expect(tops.length).toBeGreaterThanOrEqual(10);
    expect(new Set(tops).size).toBe(1);
    await page.screenshot({ path: `${SHOTS}/review-actions.png` });
  });

  test('a queue ordered by a signal says how many items lack it, and offers none of them', async ({ page }) => {
    const { datasetId, name } = importNamed('polish-signal-queue');
    // Only the omniedit items get signals.
    loupe(['signals', '--dataset', name, '--family', 'omniedit', '--wait']);
    const db = readDb();
    const [withSignal, without] = ['IS NOT NULL', 'IS NULL'].map(
      (is) =>
        db
          .prepare(
            `SELECT id FROM items WHERE dataset_id = ? AND (SELECT value FROM signals WHERE candidate_id = items.current_candidate_id AND name = 'ssim') ${is} ORDER BY id`,
          )
          .pluck()
          .all(datasetId) as number[],
    );
    db.close();
    expect(withSignal.length).toBeGreaterThan(0);
    expect(without.length).toBeGreaterThan(0);
    await page.goto(`/review?dataset=${datasetId}&signal=ssim&sort=desc`);
    await expect(page.getByTestId('without-signal')).toHaveText(`${without.length} pending items lack ssim: not in this queue`);
    await page.screenshot({ path: `${SHOTS}/review-signal-queue.png` });
    const seen: number[] = [];
    for (let i = 0; i < withSignal.length; i++) {
      const item = page.getByTestId('review-item');
      await expect(item).toBeVisible();
      const id = Number(await item.getAttribute('data-item-id'));
      seen.push(id);
      await page.keyboard.press('s');
      if (i < withSignal.length - 1) await expect(item).not.toHaveAttribute('data-item-id', String(id));
    }
    await expect(page.getByTestId('queue-empty')).toBeVisible();
    expect(seen.sort((a, b) => a - b)).toEqual(withSignal);
  });
});

test.describe('item page back link', () => {
  test('goes where the user came from, and never to another site', async ({ page }) => {
    const { datasetId } = importNamed('polish-back');
    const db = readDb();
    const itemId = db.prepare('SELECT min(id) FROM items WHERE dataset_id = ?').pluck().get(datasetId) as number;
    db.close();
    const back = page.getByTestId('back-link');
    for (const [from, label] of [
      [`/datasets/${datasetId}?status=pending&family=omniedit`, 'Dataset'],
      [`/review?dataset=${datasetId}`, 'Review'],
      ['/jobs?status=failed', 'Jobs'],
    ]) {
      await page.goto(`/items/${itemId}?from=${encodeURIComponent(from)}`);
      await expect(back).toHaveText(`← ${label}`);
      await expect(back).toHaveAttribute('href', from);
    }
    await back.click();
    await expect(page).toHaveURL(/\/jobs\?status=failed$/);
    for (const hostile of ['//evil.com', '/\\evil.com', 'javascript:alert(1)', 'https://evil.com/x']) {
      await page.goto(`/items/${itemId}?from=${encodeURIComponent(hostile)}`);
      await expect(back).toHaveAttribute('href', `/datasets/${datasetId}`);
    }
    await page.screenshot({ path: `${SHOTS}/item-back.png` });
  });
});

test.describe('as an auditor', () => {
  test.use({ storageState: storageStateOf('auditor') });
  test('the dashboard offers no lead-only action in its empty states', async ({ page }) => {
    const { datasetId } = importNamed('polish-auditor');
    await page.goto(`/dashboard?dataset=${datasetId}`);
    await expect(page.getByTestId('jobs-empty')).toBeVisible();
    await expect(page.getByTestId('jobs-empty').getByRole('link')).toHaveCount(0);
  });
});
