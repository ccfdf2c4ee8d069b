import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, type APIRequest, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { E2E_DATA_DIR, E2E_PORT, storageStateOf, type E2EUser } from './env';

const root = path.resolve(import.meta.dirname, '..');

/** Runs the real CLI (`npm run loupe -- ...`) and returns its --json summary. */
export function loupe(args: string[], dataDir = E2E_DATA_DIR) {
  const stdout = execFileSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['cli/loupe.ts', ...args, '--json'], {
    cwd: root,
    env: { ...process.env, LOUPE_DATA_DIR: dataDir },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(stdout);
}

/** Imports the bundled samples (or another layout) as a dataset of their own, so each test starts fresh. */
export function importSamples(name: string, layout = path.join(root, 'samples', 'gpt-edit')): number {
  return loupe(['import', layout, '--dataset', `${name}-${Date.now()}`]).datasetId;
}

/** A read-only look at the server's database, to check what the UI wrote. */
export function readDb(dataDir = E2E_DATA_DIR) {
  return new Database(path.join(dataDir, 'loupe.db'), { readonly: true, fileMustExist: true });
}

export async function currentItemId(page: Page): Promise<number> {
  const item = page.getByTestId('review-item');
  await expect(item).toBeVisible();
  return Number(await item.getAttribute('data-item-id'));
}

/** Waits until the page shows an item other than `previous`, and returns its id. */
export async function nextItemId(page: Page, previous: number): Promise<number> {
  await expect(page.getByTestId('review-item')).not.toHaveAttribute('data-item-id', String(previous));
  return currentItemId(page);
}

/** An API client signed in as one of the e2e users (for tests that need two people at once). */
export async function apiAs(playwright: { request: APIRequest }, user: E2EUser): Promise<APIRequestContext> {
  return playwright.request.newContext({
    baseURL: `http://localhost:${E2E_PORT}`,
    extraHTTPHeaders: { Origin: `http://localhost:${E2E_PORT}` },
    storageState: storageStateOf(user),
  });
}

/** A browser context signed in as one of the e2e users. */
export async function pageAs(browser: Browser, user: E2EUser): Promise<Page> {
  const context = await browser.newContext({ storageState: storageStateOf(user) });
  return context.newPage();
}

/**
 * Waits until the server has recorded `count` verdicts on an item. The review page moves to
 * the next item at once and sends the verdict behind it, so the UI alone does not say when.
 */
export async function verdictsRecorded(itemId: number, count: number) {
  await expect
    .poll(() => {
      const db = readDb();
      try {
        return db.prepare(`SELECT count(*) FROM verdicts WHERE item_id = ? AND decision IN ('accept', 'reject')`).pluck().get(itemId);
      } finally {
        db.close();
      }
    })
    .toBe(count);
}
