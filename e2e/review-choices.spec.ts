import { expect, test, type Page } from '@playwright/test';
import { currentItemId, importSamples, nextItemId, readDb } from './helpers';

/**
 * A verdict applies to versions of the item it is made on, however fast the key comes; a
 * refused verdict brings its item back; an ended job brings its item back to the page, next
 * in line after the item on screen.
 */

/**
 * Presses `key` the instant the shown item changes, `times` times: from a MutationObserver,
 * so the key lands right after React commits the new item, before any effect has run.
 */
async function pressOnEveryNewItem(page: Page, key: string, times: number) {
  await page.evaluate(
    ({ key, times }) => {
      const w = window as unknown as { __pressesLeft: number; __pressObserver?: MutationObserver };
      w.__pressObserver?.disconnect();
      w.__pressesLeft = times;
      const shown = () => document.querySelector('[data-testid="review-item"]')?.getAttribute('data-item-id') ?? null;
      let last = shown();
      w.__pressObserver = new MutationObserver(() => {
        const now = shown();
        if (now !== null && now !== last && w.__pressesLeft > 0) {
          w.__pressesLeft--;
          window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
        }
        last = now;
      });
      w.__pressObserver.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-item-id'] });
    },
    { key, times },
  );
}

/** Verdicts that name an edited image or instruction of another item (none may exist). */
function foreignChoices(datasetId: number): number {
  const db = readDb();
  try {
    return db
      .prepare(
        `SELECT count(*) FROM verdicts v JOIN items i ON i.id = v.item_id
         LEFT JOIN candidates c ON c.id = v.candidate_id LEFT JOIN instruction_versions iv ON iv.id = v.instruction_version_id
         WHERE i.dataset_id = ? AND v.decision != 'undo' AND (c.item_id != v.item_id OR iv.item_id != v.item_id)`,
      )
      .pluck()
      .get(datasetId) as number;
  } finally {
    db.close();
  }
}

function acceptedCount(datasetId: number): number {
  const db = readDb();
  try {
    return db.prepare(`SELECT count(*) FROM items WHERE dataset_id = ? AND status = 'accepted'`).pluck().get(datasetId) as number;
  } finally {
    db.close();
  }
}

test('a key pressed the instant the next pair appears decides that item, on its own versions', async ({ page }) => {
  const datasetId = importSamples('race');
  await page.goto(`/review?dataset=${datasetId}`);
  await expect(page.getByTestId('progress')).toContainText('0 / 12 reviewed');

  // Undo brings an item back from the server: `a` the instant it shows, six times over.
  for (let round = 0; round < 6; round++) {
    const shown = await currentItemId(page);
    await page.keyboard.press('a');
    await nextItemId(page, shown);
    await pressOnEveryNewItem(page, 'a', 1);
    await page.keyboard.press('u');
    // The undone item came back and was accepted again at once: the next one shows.
    await expect.poll(() => acceptedCount(datasetId)).toBe(round + 1);
    await expect(page.getByTestId('review-error')).toHaveCount(0);
  }

  // Then the rest of the queue, each item decided the instant it appears.
  await pressOnEveryNewItem(page, 'a', 12);
  await page.keyboard.press('a');
  await expect(page.getByTestId('queue-empty')).toBeVisible();
  await expect(page.getByTestId('progress')).toContainText('12 / 12 reviewed');
  await expect.poll(() => acceptedCount(datasetId)).toBe(12);
  await expect(page.getByTestId('review-error')).toHaveCount(0);
  expect(foreignChoices(datasetId)).toBe(0);
});

test('a verdict the server refuses brings its item back with the reason, and it can be decided again', async ({ page }) => {
  const datasetId = importSamples('refused');
  await page.goto(`/review?dataset=${datasetId}`);
  const first = await currentItemId(page);
  const db = readDb();
  const foreign = db.prepare('SELECT id FROM candidates WHERE item_id != ? ORDER BY id LIMIT 1').pluck().get(first) as number;
  db.close();

  // The next verdict goes out naming another item's edited image (as the race once made it).
  await page.route(
    '**/api/verdicts',
    async (route, request) => {
      const body = JSON.parse(request.postData() ?? '{}');
      await route.continue({ postData: JSON.stringify({ ...body, candidateId: foreign }) });
    },
    { times: 1 },
  );
  await page.keyboard.press('a');
  const alert = page.getByTestId('review-error');
  await expect(alert).toContainText('was not recorded');
  await expect(alert).toContainText(`candidate ${foreign}`);
  await expect(page.getByTestId('review-item')).toHaveAttribute('data-item-id', String(first));
  await page.screenshot({ path: 'test-results/review-refused.png' });

  await page.keyboard.press('a');
  await nextItemId(page, first);
  await expect.poll(() => acceptedCount(datasetId)).toBe(1);
  expect(foreignChoices(datasetId)).toBe(0);
});

for (const [key, kind, label] of [
  ['g', 'regenerate', 'Regeneration'],
  ['w', 'rewrite', 'Instruction rewrite'],
] as const) {
  test(`after undo, ${key} (${kind}) takes the item away, and it comes back to this page with its new version when the job ends`, async ({
    page,
  }) => {
    const datasetId = importSamples(`return-${kind}`);
    await page.goto(`/review?dataset=${datasetId}`);
    const first = await currentItemId(page);
    await page.keyboard.press('a');
    const second = await nextItemId(page, first);
    await page.keyboard.press('u');
    await expect(page.getByTestId('review-item')).toHaveAttribute('data-item-id', String(first));
    const db = readDb();
    const externalId = db.prepare('SELECT external_id FROM items WHERE id = ?').pluck().get(first) as string;
    db.close();

    // After the request the page claims again; the item must stay away until its job ends.
    const refreshed = page.waitForResponse((response) => response.url().endsWith('/api/queue/claim'));
    await page.keyboard.press(key);
    const notice = page.getByRole('status');
    await expect(notice).toContainText(`${label} of ${externalId} queued`);
    await refreshed;
    await page.waitForTimeout(300);
    // The item left: the page shows the next one, not the item as it was before the job.
    await expect(page.getByTestId('review-item')).toHaveAttribute('data-item-id', String(second));

    // The job runs in the server against the local OpenAI-compatible server; its item comes back
    // here, next in line: the item on screen stays (a key on its way is meant for it).
    await expect(notice).toContainText(`${label} of ${externalId} done: it is back`, { timeout: 30_000 });
    await expect(notice).toContainText('next in line');
    await page.waitForTimeout(300);
    await expect(page.getByTestId('review-item')).toHaveAttribute('data-item-id', String(second));
    await page.screenshot({ path: `test-results/review-returned-next-${kind}.png` });
    await page.keyboard.press('a');
    await expect(page.getByTestId('review-item')).toHaveAttribute('data-item-id', String(first));
    if (kind === 'regenerate') {
      const candidates = page.getByTestId('candidates').getByRole('radio');
      await expect(candidates).toHaveCount(2);
      await expect(candidates.nth(1)).toHaveAttribute('aria-checked', 'true');
    } else {
      const versions = page.getByRole('radiogroup', { name: 'Instruction version the verdict applies to' }).getByRole('radio');
      await expect(versions.last()).toBeChecked();
    }
    await page.screenshot({ path: `test-results/review-returned-${kind}.png` });

    // Accepting it applies to the new version.
    await page.keyboard.press('a');
    await nextItemId(page, first);
    await expect
      .poll(() => {
        const check = readDb();
        try {
          return check
            .prepare(
              `SELECT v.candidate_id = i.current_candidate_id AND v.instruction_version_id = i.current_instruction_id
               FROM verdicts v JOIN items i ON i.id = v.item_id
               WHERE v.item_id = ? AND v.decision = 'accept' AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)`,
            )
            .pluck()
            .get(first);
        } finally {
          check.close();
        }
      })
      .toBe(1);
  });
}
