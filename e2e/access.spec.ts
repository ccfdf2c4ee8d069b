/**
 * Over the production server: account actions work from the addresses a team really uses
 * (127.0.0.1 and the machine's own network address, not only localhost) and never from another
 * site; and every page answers each role as docs/api.md's page table says.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { PERMISSIONS, type Permission, type Role } from '../lib/auth/roles';
import { E2E_PORT, E2E_USERS, storageStateOf, type E2EUser } from './env';
import { apiAs, importSamples, readDb } from './helpers';

/** The machine's first non-loopback IPv4 address: how teammates reach the server. */
function networkAddress(): string | undefined {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

test('change-password and sign-in work from 127.0.0.1 and the network address, and refuse a foreign Origin', async ({ playwright }) => {
  const ip = networkAddress();
  expect(ip, 'this machine has no non-loopback IPv4 address').toBeTruthy();
  const admin = await apiAs(playwright, 'admin');
  const username = `origin-${Date.now()}`;
  let password = 'origin-password-0';
  expect((await admin.post('/api/users', { data: { username, roles: ['annotator'], password } })).status()).toBe(201);

  for (const base of [`http://127.0.0.1:${E2E_PORT}`, `http://${ip}:${E2E_PORT}`]) {
    const signedOut = await playwright.request.newContext({ baseURL: base });
    const foreignSignIn = await signedOut.post('/api/auth/sign-in/username', {
      data: { username, password },
      headers: { Origin: 'http://evil.example' },
    });
    expect(foreignSignIn.status(), `${base}: sign-in from a foreign Origin`).toBe(403);
    await signedOut.dispose();

    const client = await playwright.request.newContext({ baseURL: base, extraHTTPHeaders: { Origin: base } });
    expect((await client.post('/api/auth/sign-in/username', { data: { username, password } })).status(), `${base}: sign-in`).toBe(200);
    const next = `${password}-x`;
    const forged = await client.post('/api/auth/change-password', {
      data: { currentPassword: password, newPassword: next },
      headers: { Origin: 'http://evil.example' },
    });
    expect(forged.status(), `${base}: change-password from a foreign Origin`).toBe(403);
    const changed = await client.post('/api/auth/change-password', { data: { currentPassword: password, newPassword: next } });
    expect(changed.status(), `${base}: change-password (${await changed.text()})`).toBe(200);
    password = next;
    // Loupe's own routes follow the same rule.
    expect((await client.post('/api/queue/release', { data: { holder: 'origin-test-page' } })).status()).toBe(200);
    expect(
      (
        await client.post('/api/queue/release', { data: { holder: 'origin-test-page' }, headers: { Origin: 'http://evil.example' } })
      ).status(),
    ).toBe(403);
    await client.dispose();
  }
  await admin.dispose();
});

/** docs/api.md's page table: page path → permission. */
function pageTable(): [string, Permission | 'public'][] {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../docs/api.md'), 'utf8');
  return doc
    .split('\n')
    .filter((line) => /^\|\s*`\/[^`]*`\s*\|/.test(line))
    .map(
      (line) =>
        line
          .split('|')
          .slice(1, 3)
          .map((cell) => cell.replace(/`/g, '').trim()) as [string, Permission | 'public'],
    );
}

test('every page answers each role as the docs say: a redirect to /login signed out, 403 without the permission, 200 with it', async ({
  playwright,
}) => {
  const datasetId = importSamples('access');
  const db = readDb();
  const itemId = db.prepare('SELECT id FROM items WHERE dataset_id = ? ORDER BY id LIMIT 1').pluck().get(datasetId) as number;
  db.close();
  const lead = await apiAs(playwright, 'lead');
  const campaign = await lead.post('/api/audits', {
    data: { name: `access ${Date.now()}`, datasetId, population: { kind: 'filter' }, sampling: { mode: 'fixed', perStratum: 1 }, seed: 1 },
  });
  expect(campaign.status()).toBe(201);
  const campaignId = (await campaign.json()).id as number;
  await lead.dispose();
  const ids: Record<string, number> = {
    '/datasets/:id': datasetId,
    '/items/:id': itemId,
    '/audits/:id': campaignId,
    '/audits/:id/report': campaignId,
  };

  const table = pageTable();
  expect(table.length).toBeGreaterThan(10);
  const users: (E2EUser | undefined)[] = [undefined, 'ann1', 'lead', 'auditor', 'admin'];
  const wrong: string[] = [];
  for (const user of users) {
    const client = await playwright.request.newContext({
      baseURL: `http://localhost:${E2E_PORT}`,
      storageState: user ? storageStateOf(user) : { cookies: [], origins: [] },
    });
    const roles: readonly Role[] = user ? E2E_USERS[user] : [];
    for (const [page, permission] of table) {
      const url = page.replace(':id', String(ids[page]));
      const response = await client.get(url, { maxRedirects: 0 });
      const status = response.status();
      const location = response.headers()['location'] ?? '';
      let expected: string;
      if (permission === 'public') expected = user ? 'redirect /' : '200';
      else if (!user) expected = `redirect /login?next=${encodeURIComponent(url)}`;
      else expected = (PERMISSIONS[permission] as readonly Role[]).some((r) => roles.includes(r)) ? '200' : '403';
      const actual = status >= 300 && status < 400 ? `redirect ${location.replace(/^https?:\/\/[^/]+/, '')}` : String(status);
      if (actual !== expected) wrong.push(`${url} as ${user ?? 'signed out'}: ${actual}, expected ${expected}`);
    }
    await client.dispose();
  }
  expect(wrong).toEqual([]);
});

test.describe('admin', () => {
  test.use({ storageState: storageStateOf('admin') });

  test('renames a user on the Users page; the account keeps its id', async ({ page, playwright }) => {
    const admin = await apiAs(playwright, 'admin');
    const username = `to-rename-${Date.now()}`;
    expect((await admin.post('/api/users', { data: { username, roles: ['annotator'], password: 'rename-password-0' } })).status()).toBe(
      201,
    );
    await admin.dispose();
    const db = readDb();
    const id = db.prepare('SELECT id FROM users WHERE username = ?').pluck().get(username);
    db.close();

    await page.goto('/admin/users');
    const row = page.getByTestId(`user-${username}`);
    await row.getByRole('button', { name: 'Rename' }).click();
    const input = row.getByLabel(`New username for ${username}`);
    await input.fill('lead');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(row.getByRole('alert')).toContainText('user lead already exists');
    await page.screenshot({ path: '/tmp/idh/admin-users-rename-taken.png', fullPage: true });
    await input.fill(`${username}-new`);
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId(`user-${username}-new`)).toBeVisible();
    await page.screenshot({ path: '/tmp/idh/admin-users-renamed.png', fullPage: true });
    const after = readDb();
    expect(after.prepare('SELECT username FROM users WHERE id = ?').pluck().get(id)).toBe(`${username}-new`);
    after.close();
  });
});
