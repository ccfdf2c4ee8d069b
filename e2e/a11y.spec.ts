/**
 * axe-core over every page as each role (admin, lead, annotator, auditor; /login signed out): no
 * serious or critical violation. axe's own source (the pinned axe-core package) is evaluated in the page, so no wrapper
 * package stands between the test and the rules. A failure lists each violation's rule, targets and page.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { apiAs, loupe, readDb } from './helpers';
import { storageStateOf, type E2EUser } from './env';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const root = path.resolve(import.meta.dirname, '..');

interface Found {
  page: string;
  id: string;
  impact: string;
  help: string;
  /** Each node: its selector, and for contrast the colours and ratio axe measured. */
  targets: string[];
}

/** Runs axe on the page as it stands and returns its serious and critical violations. */
async function seriousViolations(page: Page, url: string): Promise<Found[]> {
  // Evaluated rather than added as a <script>: the page's own script policy never applies to it.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations as {
      id: string;
      impact: string | null;
      help: string;
      nodes: { target: string[]; any: { data?: { fgColor?: string; bgColor?: string; contrastRatio?: number } | null }[] }[];
    }[];
  });
  const describe = (node: (typeof violations)[number]['nodes'][number]) => {
    const contrast = node.any.find((check) => check.data?.contrastRatio)?.data;
    return node.target.join(' ') + (contrast ? ` (${contrast.fgColor} on ${contrast.bgColor}: ${contrast.contrastRatio})` : '');
  };
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ page: url, id: v.id, impact: v.impact!, help: v.help, targets: v.nodes.map(describe) }));
}

/** Opens a page and lets its client-side data arrive (no networkidle: the review page renews its leases). */
async function open(page: Page, url: string) {
  await page.goto(url);
  await page.waitForLoadState('load');
  await expect(page.locator('main, [role="main"]').first()).toBeVisible();
  await page.waitForTimeout(600);
}

let pages: string[] = [];

test.beforeAll(async ({ playwright }) => {
  // A dataset with pixel signals, a verdict, an audit campaign and an export, so the pages show their content.
  const name = `a11y-${Date.now()}`;
  const datasetId: number = loupe(['import', path.join(root, 'samples', 'gpt-edit'), '--dataset', name]).datasetId;
  loupe(['signals', '--dataset', name, '--wait']);
  const db = readDb();
  const itemId = db.prepare('SELECT min(id) FROM items WHERE dataset_id = ?').pluck().get(datasetId) as number;
  db.close();
  const lead = await apiAs(playwright, 'lead');
  const campaign = await lead.post('/api/audits', {
    data: { name: `${name} audit`, datasetId, population: { kind: 'filter' }, sampling: { mode: 'fixed', perStratum: 1 } },
  });
  expect(campaign.status()).toBeLessThan(300);
  const campaignId: number = (await campaign.json()).id;
  await lead.dispose();
  pages = [
    '/',
    `/datasets/${datasetId}`,
    `/items/${itemId}`,
    `/review?dataset=${datasetId}`,
    '/jobs',
    '/exports',
    `/team?dataset=${datasetId}`,
    `/dashboard?dataset=${datasetId}`,
    `/signals?dataset=${datasetId}`,
    '/audits',
    `/audits/${campaignId}`,
    `/audits/${campaignId}/report`,
    '/adjudicate',
    '/account',
    '/admin/users',
    '/no-such-page',
  ];
});

const ROLES: [string, E2EUser][] = [
  ['admin', 'admin'],
  ['lead', 'lead'],
  ['annotator', 'ann1'],
  ['auditor', 'auditor'],
];

for (const [role, user] of ROLES) {
  test.describe(`as ${role}`, () => {
    test.use({ storageState: storageStateOf(user) });

    test(`every page has no serious or critical axe violation (${role})`, async ({ page }) => {
      test.setTimeout(180_000);
      const found: Found[] = [];
      for (const url of pages) {
        await open(page, url);
        found.push(...(await seriousViolations(page, url)));
      }
      const report = found.map((f) => `${f.page}: ${f.impact} ${f.id} (${f.help}) at ${f.targets.join(' | ')}`).join('\n');
      expect(found, `axe violations as ${role}:\n${report}`).toEqual([]);
    });
  });
}

test.describe('signed out', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('the sign-in page has no serious or critical axe violation', async ({ page }) => {
    await open(page, '/login');
    const found = await seriousViolations(page, '/login');
    expect(found, found.map((f) => `${f.id} at ${f.targets.join(' | ')}`).join('\n')).toEqual([]);
  });
});
