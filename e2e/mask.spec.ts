import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { ultraEditColumns, ultraEditRow, writeParquet } from '@/lib/test/parquet-shards';
import { pngBuffer } from '../lib/test/factories';
import { loupe, readDb } from './helpers';

const SCREENSHOT = process.env.MASK_SCREENSHOT; // e.g. /tmp/mask.png, to look at the overlay

let dir: string;
test.beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-e2e-mask-'));
});
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Imports a one-row UltraEdit shard (with or without its mask) as a dataset of its own. */
async function importUltraEdit(name: string, withMask: boolean) {
  const file = path.join(dir, `${name}.parquet`);
  // A 48x48 mask: white over the right half only, so the overlay is visibly partial.
  const mask = await halfMask();
  await writeParquet(file, ultraEditColumns(), [await ultraEditRow(1, { mask_image: withMask ? { bytes: mask, path: 'm_1.png' } : null })]);
  const { datasetId } = loupe(['import', file, '--dataset', `${name}-${Date.now()}`]);
  const db = readDb();
  try {
    const itemId = db.prepare('SELECT id FROM items WHERE dataset_id = ?').pluck().get(datasetId) as number;
    return { datasetId, itemId, mask };
  } finally {
    db.close();
  }
}

async function halfMask(): Promise<Buffer> {
  const white = await pngBuffer(24, 48, { r: 255, g: 255, b: 255 });
  return sharp({ create: { width: 48, height: 48, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite([{ input: white, left: 24, top: 0 }])
    .png()
    .toBuffer();
}

test('an UltraEdit mask is served by item id and overlaid on both images with m', async ({ page, request }) => {
  const { datasetId, itemId, mask } = await importUltraEdit('mask', true);

  const full = await request.get(`/api/images/mask/${itemId}?size=full`);
  expect(full.status()).toBe(200);
  expect(full.headers()['content-type']).toBe('image/png');
  expect((await full.body()).equals(mask)).toBe(true);
  const preview = await request.get(`/api/images/mask/${itemId}?size=preview`);
  expect(preview.headers()['content-type']).toBe('image/webp');

  await page.goto(`/review?dataset=${datasetId}`);
  await expect(page.getByTestId('review-item')).toHaveAttribute('data-item-id', String(itemId));
  const button = page.getByRole('button', { name: /^Mask/ });
  await expect(button).toBeVisible();
  const overlays = page.getByTestId('mask-overlay');
  await expect(overlays).toHaveCount(0);

  await page.keyboard.press('m');
  await expect(overlays).toHaveCount(2);
  for (const overlay of await overlays.all()) {
    await expect(overlay).toBeVisible();
    await expect(overlay).toHaveAttribute('src', new RegExp(`^/api/images/mask/${itemId}\\?`));
    // Loaded, and stretched to its image's box.
    await expect.poll(() => overlay.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(48);
  }
  const [source, overlay] = await Promise.all([
    page.getByRole('img', { name: 'Source', exact: true }).boundingBox(),
    overlays.first().boundingBox(),
  ]);
  expect(overlay).toEqual(source);
  if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT });

  // The button toggles too.
  await button.click();
  await expect(overlays).toHaveCount(0);
});

test('an item without a mask has no Mask button, m does nothing and its mask is a 404', async ({ page, request }) => {
  const { datasetId, itemId } = await importUltraEdit('no-mask', false);
  expect((await request.get(`/api/images/mask/${itemId}?size=full`)).status()).toBe(404);
  // Items of other layouts have no mask either.
  expect((await request.get('/api/images/mask/999999999?size=full')).status()).toBe(404);

  await page.goto(`/review?dataset=${datasetId}`);
  await expect(page.getByTestId('review-item')).toHaveAttribute('data-item-id', String(itemId));
  await expect(page.getByRole('button', { name: /^Mask/ })).toHaveCount(0);
  await page.keyboard.press('m');
  await expect(page.getByTestId('mask-overlay')).toHaveCount(0);
});
