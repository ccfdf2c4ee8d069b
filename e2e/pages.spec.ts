/**
 * Pages outside the happy path keep the app's layout: a 404 shows the header and a way back, and
 * the header offers each role its sections (leads get Signals, annotators do not).
 */
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { storageStateOf } from './env';

const SHOTS = process.env.LOUPE_SHOTS ?? path.join(os.tmpdir(), 'loupe-shots');

test.describe('as a lead', () => {
  test.use({ storageState: storageStateOf('lead') });

  test('an unknown address and a missing item answer 404 inside the app, with the header and a way back', async ({ page }) => {
    for (const url of ['/no-such-page', '/items/999999999']) {
      const response = await page.goto(url);
      expect(response?.status(), url).toBe(404);
      await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
      await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
      // Dark like every page, not Next's white default.
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe('rgb(255, 255, 255)');
    }
    await page.screenshot({ path: `${SHOTS}/not-found.png`, fullPage: true });
    await page.getByRole('link', { name: 'Back to the datasets' }).click();
    await expect(page).toHaveURL(/\/$/);
  });

  test('the header links to Signals', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Signals' }).click();
    await expect(page).toHaveURL(/\/signals$/);
  });
});

test.describe('as an annotator', () => {
  test.use({ storageState: storageStateOf('ann1') });

  test('the header has no Signals link (the page is for leads)', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Signals' })).toHaveCount(0);
  });
});
