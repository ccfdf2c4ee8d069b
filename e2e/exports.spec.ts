import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { expect, test } from '@playwright/test';
import { extract } from 'tar-stream';
import Database from 'better-sqlite3';
import { E2E_DATA_DIR } from './env';
import { importSamples, loupe, readDb } from './helpers';

/** A tar file read back: name → bytes. */
async function readTar(file: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      buffer(stream).then((bytes) => {
        files.set(header.name, bytes);
        next();
      }, reject);
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  fs.createReadStream(file).pipe(reader);
  await done;
  return files;
}

test('a lead starts an export from the Exports page and downloads it as a tar', async ({ page, request }) => {
  const datasetId = importSamples('web-export');
  const db = readDb();
  const name = db.prepare('SELECT name FROM datasets WHERE id = ?').pluck().get(datasetId) as string;
  db.close();

  // Accept one item through the review API.
  const reviewer = { holder: 'e2e-exports' };
  const filter = { datasetId, family: 'omniedit', task: 'style' };
  const claimed = await (await request.post('/api/queue/claim', { data: { ...reviewer, filter, count: 1 } })).json();
  const itemId = claimed.items[0].id;
  const verdict = await request.post('/api/verdicts', { data: { ...reviewer, filter, itemId, decision: 'accept' } });
  expect(verdict.status()).toBe(200);

  // A CLI export to a folder of the user's own is listed but not downloadable.
  const own = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-e2e-own-'));
  const cli = loupe(['export', '--out', own, '--dataset', name, '--format', 'jsonl']);
  expect((await request.get(`/api/exports/${cli.exportId}/download`)).status()).toBe(404);
  expect((await request.get('/api/exports/999999/download')).status()).toBe(404);

  await page.goto('/exports');
  await expect(page.getByTestId(`export-${cli.exportId}`)).toBeVisible();
  await expect(page.getByTestId(`export-${cli.exportId}`).getByRole('link', { name: /download/i })).toHaveCount(0);

  const form = page.getByRole('form', { name: 'New export' });
  await form.getByLabel('Dataset').selectOption({ label: name });
  await expect(form.getByLabel('Status')).toHaveValue('accepted');
  await form.getByLabel('Format').selectOption('jsonl');
  const started = page.waitForResponse((r) => r.url().endsWith('/api/exports') && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Start export' }).click();
  const response = await started;
  expect(response.status()).toBe(202);
  const { exportId } = await response.json();

  const row = page.getByTestId(`export-${exportId}`);
  await expect(row.getByTestId('export-status')).toHaveText('done');
  await expect(row).toContainText(`dataset ${name}`);
  await expect(row).toContainText(path.join('data', 'e2e', 'exports'));

  const downloading = page.waitForEvent('download');
  await row.getByRole('link', { name: 'Download .tar' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`loupe-export-${exportId}.tar`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-e2e-tar-')), 'export.tar');
  await download.saveAs(file);

  const files = await readTar(file);
  const records = files
    .get('data.jsonl')!
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(records.map((r) => r.id)).toEqual(['omniedit_style_00000004']);
  const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
  expect(manifest).toMatchObject({ format: 'jsonl', filter: { status: 'accepted', dataset: name }, counts: { items: 1 } });
  expect([...files.keys()].every((rel) => !rel.startsWith('/') && !rel.includes('..'))).toBe(true);
  expect([...files.keys()].some((rel) => rel.startsWith('images/'))).toBe(true);

  const head = await request.get(`/api/exports/${exportId}/download`);
  expect(head.headers()['content-type']).toBe('application/x-tar');
  expect(head.headers()['content-disposition']).toBe(`attachment; filename="loupe-export-${exportId}.tar"`);
  expect(head.headers()['x-content-type-options']).toBe('nosniff');

  fs.rmSync(own, { recursive: true, force: true });
});

test('"Export these" on a dataset page exports exactly the page’s filtered selection', async ({ page }) => {
  const datasetId = importSamples('export-these');
  // Pending items whose instruction mentions "sepia": one sample.
  await page.goto(`/datasets/${datasetId}?status=pending&text=sepia&view=table`);
  await expect(page.getByTestId('items-table').locator('tbody tr')).toHaveCount(1);
  await page.getByRole('link', { name: 'Export these' }).click();

  const form = page.getByRole('form', { name: 'New export' });
  await expect(form.getByLabel('Status')).toHaveValue('pending');
  await expect(page.getByTestId('export-extra-filter')).toContainText('text: sepia');
  await form.getByLabel('Format').selectOption('jsonl');
  const started = page.waitForResponse((r) => r.url().endsWith('/api/exports') && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Start export' }).click();
  const { exportId } = await (await started).json();
  await expect(page.getByTestId(`export-${exportId}`).getByTestId('export-status')).toHaveText('done');

  const db = readDb();
  try {
    const row = db.prepare('SELECT items, filter FROM exports WHERE id = ?').get(exportId) as { items: number; filter: string };
    expect(row.items).toBe(1);
    expect(JSON.parse(row.filter)).toMatchObject({ status: 'pending', text: 'sepia' });
  } finally {
    db.close();
  }
});

test('"Export these" keeps a signal-range filter (it was dropped before the filter codec)', async ({ page }, testInfo) => {
  const datasetId = importSamples('export-signal');
  // Give each item's current candidate a judge score 0, 1/n, ... so the range picks a known set.
  const db = new Database(path.join(E2E_DATA_DIR, 'loupe.db'));
  let inRange: number;
  let above: number;
  try {
    const items = db.prepare('SELECT id, current_candidate_id AS candidate FROM items WHERE dataset_id = ? ORDER BY id').all(datasetId) as {
      id: number;
      candidate: number;
    }[];
    const insert = db.prepare("INSERT INTO signals (candidate_id, item_id, dataset_id, name, value) VALUES (?, ?, ?, 'judge_overall', ?)");
    items.forEach((item, i) => insert.run(item.candidate, item.id, datasetId, i / items.length));
    inRange = items.filter((_, i) => i / items.length >= 0.5).length;
    above = items.filter((_, i) => i / items.length >= 0.8).length;
  } finally {
    db.close();
  }
  expect(inRange).toBeGreaterThan(0);

  await page.goto(`/datasets/${datasetId}?signal=judge_overall&smin=0.5&sort=desc&view=table`);
  await expect(page.getByTestId('items-table').locator('tbody tr')).toHaveCount(inRange);
  await page.screenshot({ path: testInfo.outputPath('dataset-signal-filter.png'), fullPage: true });
  // The filter form writes the same parameters the links read (one codec names them).
  await page.getByLabel('Signal min').fill('0.8');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('items-table').locator('tbody tr')).toHaveCount(above);
  await page.getByLabel('Signal min').fill('0.5');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('items-table').locator('tbody tr')).toHaveCount(inRange);
  await page.getByRole('link', { name: 'Export these' }).click();

  const form = page.getByRole('form', { name: 'New export' });
  await expect(page.getByTestId('export-extra-filter')).toContainText('signal: judge_overall');
  await expect(page.getByTestId('export-extra-filter')).toContainText('signalMin: 0.5');
  await form.getByLabel('Status').selectOption('pending');
  await form.getByLabel('Format').selectOption('jsonl');
  const started = page.waitForResponse((r) => r.url().endsWith('/api/exports') && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Start export' }).click();
  const { exportId } = await (await started).json();
  await expect(page.getByTestId(`export-${exportId}`).getByTestId('export-status')).toHaveText('done');

  const read = readDb();
  try {
    const row = read.prepare('SELECT items, filter FROM exports WHERE id = ?').get(exportId) as { items: number; filter: string };
    expect(row.items).toBe(inRange);
    expect(JSON.parse(row.filter)).toMatchObject({ signal: 'judge_overall', signalMin: 0.5 });
  } finally {
    read.close();
  }
});
