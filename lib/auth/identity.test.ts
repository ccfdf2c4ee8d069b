/**
 * Identity is the user id, never the username: a user an admin renames keeps their verdicts,
 * comments, edits and statistics (shown under the new name), and a new user given the old
 * name inherits none of them. All over the real route handlers, signed in as the browser is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signIn, signInRoles, TEST_PASSWORD as PASSWORD } from '@/lib/test/routes';
import type { Role } from './roles';

let cookies: Map<Role, string>;
let datasetId: number;

/** Claims `count` items as `cookie`'s user and accepts them; answers their ids. */
async function review(cookie: string, count: number) {
  const filter = { datasetId };
  const holder = `page-${Math.random().toString(36).slice(2, 12)}`;
  const claim = await callRoute('app/api/queue/claim/route.ts', 'POST', { cookie, body: { filter, holder, count } });
  expect(claim.status).toBe(200);
  const ids = (claim.json.items as { id: number }[]).map((item) => item.id);
  for (const itemId of ids) {
    const verdict = await callRoute('app/api/verdicts/route.ts', 'POST', { cookie, body: { filter, holder, itemId, decision: 'accept' } });
    expect(verdict.status).toBe(200);
  }
  return ids;
}

const team = async (cookie: string) =>
  (await callRoute('app/api/team/route.ts', 'GET', { cookie, url: `/api/team?datasetId=${datasetId}` })).json as {
    annotators: { reviewer: string; reviewerId: string; verdicts: number }[];
  };

beforeAll(async () => {
  process.env.LOUPE_SIGNIN_LIMIT = '0';
  cookies = await signInRoles(['lead', 'admin']);
  const { getDb } = await import('@/db');
  const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
  const { addUser } = await import('./users');
  datasetId = (await importGptEdit(getDb(), SAMPLES_DIR)).datasetId;
  await addUser(getDb(), { username: 'ana', roles: ['annotator'], password: PASSWORD });
  // Two verdicts per item, so an item one reviewer judged stays in the others' queues.
  getDb().$client.prepare('UPDATE datasets SET overlap = 2 WHERE id = ?').run(datasetId);
});
afterAll(closeRoutes);

describe('identity', () => {
  it('a renamed user keeps their work and statistics; a new user with the old name inherits nothing', async () => {
    const { getDb } = await import('@/db');
    const { getUser } = await import('./users');
    const anaId = getUser(getDb(), 'ana')!.id;
    const ana = await signIn('ana');
    const reviewed = await review(ana, 3);
    expect(reviewed).toHaveLength(3);
    const item = reviewed[0];
    const params = { id: String(item) };
    expect(
      (await callRoute('app/api/items/[id]/comments/route.ts', 'POST', { cookie: ana, params, body: { body: 'seam on the left' } })).status,
    ).toBe(201);
    expect(
      (await callRoute('app/api/items/[id]/instructions/route.ts', 'POST', { cookie: ana, params, body: { text: 'Make the sky pink.' } }))
        .status,
    ).toBe(201);

    // Rows record the user id, not the name.
    const db = getDb().$client;
    expect(db.prepare('SELECT DISTINCT reviewer FROM verdicts').pluck().all()).toEqual([anaId]);
    expect(db.prepare('SELECT author FROM comments').pluck().all()).toEqual([anaId]);

    // An admin renames ana; a new user then gets the old name.
    const renamed = await callRoute('app/api/users/[username]/route.ts', 'PATCH', {
      cookie: cookies.get('admin'),
      params: { username: 'ana' },
      body: { username: 'ana-moved' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json.user).toMatchObject({ id: anaId, username: 'ana-moved' });
    const created = await callRoute('app/api/users/route.ts', 'POST', {
      cookie: cookies.get('admin'),
      body: { username: 'ana', roles: ['annotator'], password: PASSWORD },
    });
    expect(created.status).toBe(201);
    const impostor = await signIn('ana');

    // The lead sees ana's statistics under the new name, and nothing for the new "ana".
    const leadView = await team(cookies.get('lead')!);
    expect(leadView.annotators.map((a) => [a.reviewer, a.reviewerId, a.verdicts])).toEqual([['ana-moved', anaId, 3]]);
    // Each annotator sees their own row only: the new "ana" has none.
    expect((await team(impostor)).annotators).toEqual([]);
    expect((await team(await signIn('ana-moved'))).annotators.map((a) => a.verdicts)).toEqual([3]);

    // Comments: the new "ana" does not see the old one's; the lead sees them under the new name.
    const asImpostor = await callRoute('app/api/items/[id]/comments/route.ts', 'GET', { cookie: impostor, params });
    expect(asImpostor.json.comments ?? asImpostor.json).toEqual([]);
    const asLead = await callRoute('app/api/items/[id]/comments/route.ts', 'GET', { cookie: cookies.get('lead'), params });
    expect(JSON.stringify(asLead.json)).toContain('"author":"ana-moved"');

    // The item's history names the current username.
    const history = await callRoute('app/api/items/[id]/history/route.ts', 'GET', { cookie: cookies.get('lead'), params });
    const actors = new Set((history.json.events as { actor: string | null }[]).map((e) => e.actor).filter(Boolean));
    expect([...actors]).toEqual(['ana-moved']);

    // The new "ana" is a fresh reviewer: the queue offers her the items the old one judged.
    const theirs = await review(impostor, 10);
    for (const id of reviewed) expect(theirs).toContain(id);
    // And the renamed user still cannot judge them again.
    const again = await callRoute('app/api/queue/claim/route.ts', 'POST', {
      cookie: await signIn('ana-moved'),
      body: { filter: { datasetId }, holder: 'page-again-01', count: 10 },
    });
    for (const id of reviewed) expect((again.json.items as { id: number }[]).map((i) => i.id)).not.toContain(id);
  });

  it('only an admin renames, and not to a taken or invalid name', async () => {
    const rename = (role: Role, username: string, to: string) =>
      callRoute('app/api/users/[username]/route.ts', 'PATCH', { cookie: cookies.get(role), params: { username }, body: { username: to } });
    expect((await rename('lead', 'only-lead', 'boss')).status).toBe(403);
    expect((await rename('admin', 'only-lead', 'only-admin')).status).toBe(409);
    expect((await rename('admin', 'only-lead', 'X Y')).status).toBe(400);
    expect((await rename('admin', 'nobody', 'somebody')).status).toBe(404);
  });

  it('a change that fails in part changes nothing: roles, disabled and rename are one transaction', async () => {
    const patch = (body: object) =>
      callRoute('app/api/users/[username]/route.ts', 'PATCH', { cookie: cookies.get('admin'), params: { username: 'only-lead' }, body });
    const taken = await patch({ roles: ['annotator'], disabled: true, username: 'only-admin' });
    expect(taken.status).toBe(409);
    const { getDb } = await import('@/db');
    const { getUser } = await import('./users');
    expect(getUser(getDb(), 'only-lead')).toMatchObject({ username: 'only-lead', roles: ['lead'], disabled: false });
    expect((await patch({ roles: ['annotator'], username: 'X Y' })).status).toBe(400);
    expect(getUser(getDb(), 'only-lead')).toMatchObject({ roles: ['lead'] });
  });
});
