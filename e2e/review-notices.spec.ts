/**
 * The review page says what it did with the URL's filter terms: the terms a review queue cannot
 * take ("Review these" from the browser with a status or verdict filter; a lead's selection opened
 * by an annotator) and the terms it could not read are named in one calm, dismissible notice under
 * the review bar. And the bar itself fits one row at 1440 px, wrapping cleanly when narrower.
 * Each state is kept as a screenshot (1440x900) in the test's output folder.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { currentItemId, loupe, pageAs } from './helpers';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe's serious and critical violations on the page as it stands (as e2e/a11y.spec.ts runs it). */
async function seriousViolations(page: Page) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations as {
      id: string;
      impact: string | null;
      nodes: { target: string[] }[];
    }[];
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

let datasetId: number;
test.beforeAll(() => {
  // With pixel signals, so a signal-ordered queue has items.
  const name = `review-notices-${Date.now()}`;
  datasetId = loupe(['import', path.resolve(import.meta.dirname, '..', 'samples', 'gpt-edit'), '--dataset', name]).datasetId;
  loupe(['signals', '--dataset', name, '--wait']);
});

test('terms a review queue cannot take are named in a dismissible notice; the rest still apply', async ({ page }, info) => {
  await page.goto(`/review?dataset=${datasetId}&status=accepted&reviewer=ana&text=the`);
  await currentItemId(page);
  const notice = page.getByTestId('filter-notice');
  await expect(notice).toContainText('Not applied here: status = accepted, verdict by ana');
  // The queue still takes the browser's text term.
  await expect(page.getByTestId('extra-term')).toHaveText(/Contains “the”/);
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: info.outputPath('dropped-terms.png') });
  await notice.getByRole('button', { name: /Dismiss/ }).click();
  await expect(notice).toHaveCount(0);
});

test('no notice when every term applies', async ({ page }) => {
  await page.goto(`/review?dataset=${datasetId}&text=the&signal=ssim`);
  await currentItemId(page);
  await expect(page.getByTestId('extra-term')).toHaveCount(1);
  await expect(page.getByTestId('filter-notice')).toHaveCount(0);
});

test('a bad term is named with what is wrong with it; the good terms still apply', async ({ page }, info) => {
  await page.goto(`/review?dataset=${datasetId}&signal=ssim&smin=abc&text=the&ssimMin=2`);
  await currentItemId(page);
  const notice = page.getByTestId('filter-notice');
  await expect(notice).toContainText('Signal min “abc”: not a number');
  await expect(notice).toContainText('ssimMin “2”: not a filter term Loupe knows');
  await expect(page.getByTestId('extra-term')).toHaveText(/Contains “the”/);
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: info.outputPath('bad-terms.png') });

  await page.goto(`/review?dataset=${datasetId}&signal=sharpness&sort=desc`);
  await currentItemId(page);
  await expect(notice).toContainText('Signal “sharpness”: this signal is not one Loupe knows');
  await expect(page.getByLabel('Queue order')).toHaveValue('');
});

test('an annotator is told the lead-only terms of a link were left out', async ({ browser }, info) => {
  const page = await pageAs(browser, 'ann1');
  await page.goto(`/review?dataset=${datasetId}&text=the&status=pending`);
  await currentItemId(page);
  const notice = page.getByTestId('filter-notice');
  await expect(notice).toContainText('status = pending');
  await expect(notice).toContainText('Contains “the”');
  await expect(notice).toContainText('only a lead');
  await expect(page.getByTestId('extra-term')).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: info.outputPath('annotator-terms.png') });
  await page.context().close();
});

test('the review bar fits one row at 1440 px and wraps cleanly when narrow', async ({ page }, info) => {
  // A signal order and a term "Review these" brought: the lead's usual bar.
  await page.goto(`/review?dataset=${datasetId}&signal=changed_fraction&sort=desc&text=the`);
  await currentItemId(page);
  await expect(page.getByTestId('progress')).toBeVisible();
  const centre = async (locator: ReturnType<Page['getByTestId']>) => {
    const box = (await locator.boundingBox())!;
    return box.y + box.height / 2;
  };
  const status = [page.getByTestId('progress'), page.getByTestId('reviewer'), page.getByRole('button', { name: 'Keyboard shortcuts' })];
  const row = await centre(page.getByRole('combobox', { name: 'Dataset' }));
  for (const part of [page.getByTestId('extra-term'), ...status]) {
    // Same row: vertical centres within a few pixels of the first select's.
    expect(Math.abs((await centre(part)) - row)).toBeLessThan(6);
  }
  await page.screenshot({ path: info.outputPath('bar-1440.png') });

  // Narrower: the filters wrap beside the status, which stays whole on the first row.
  await page.setViewportSize({ width: 900, height: 900 });
  for (const part of status) expect(Math.abs((await centre(part)) - row)).toBeLessThan(6);
  const overflow = () => page.getByTestId('queue-bar').evaluate((bar) => bar.scrollWidth - bar.clientWidth);
  expect(await overflow()).toBe(0);
  await page.screenshot({ path: info.outputPath('bar-900.png') });

  // Narrow: the status moves below the filters, whole (reviewer and help on one row), and nothing sticks out sideways.
  await page.setViewportSize({ width: 600, height: 900 });
  const helpRow = await centre(page.getByRole('button', { name: 'Keyboard shortcuts' }));
  expect(helpRow - row).toBeGreaterThan(20);
  for (const part of status) expect(Math.abs((await centre(part)) - helpRow)).toBeLessThan(6);
  expect(await overflow()).toBe(0);
  await page.screenshot({ path: info.outputPath('bar-600.png') });
});
