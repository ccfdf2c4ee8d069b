/**
 * The audit route handlers, called as the browser calls them (a signed-in session cookie and
 * an Origin): who may call what, and the whole create → claim → result → report → close
 * round trip over HTTP shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, type Permission, type Role } from '@/lib/auth/roles';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';

const ROUTES: { method: 'GET' | 'POST'; path: string; file: string; permission: Permission }[] = [
  { method: 'GET', path: '/api/audits', file: 'app/api/audits/route.ts', permission: 'audit' },
  { method: 'POST', path: '/api/audits', file: 'app/api/audits/route.ts', permission: 'manage' },
  { method: 'POST', path: '/api/audits/preview', file: 'app/api/audits/preview/route.ts', permission: 'manage' },
  { method: 'POST', path: '/api/audits/:id/claim', file: 'app/api/audits/[id]/claim/route.ts', permission: 'audit' },
  { method: 'POST', path: '/api/audits/:id/results', file: 'app/api/audits/[id]/results/route.ts', permission: 'audit' },
  { method: 'POST', path: '/api/audits/:id/release', file: 'app/api/audits/[id]/release/route.ts', permission: 'audit' },
  { method: 'GET', path: '/api/audits/:id/report', file: 'app/api/audits/[id]/report/route.ts', permission: 'audit' },
  { method: 'POST', path: '/api/audits/:id/close', file: 'app/api/audits/[id]/close/route.ts', permission: 'manage' },
];

let cookies: Map<Role, string>;
let datasetId: number;

/** Calls a route handler as `role` (or signed out) and answers status, headers and the parsed body. */
async function call(role: Role | undefined, method: 'GET' | 'POST', url: string, body?: unknown) {
  const route = ROUTES.find((r) => r.method === method && new RegExp(`^${r.path.replace(/:id/, '\\d+')}$`).test(url.split('?')[0]))!;
  const id = url.match(/\/api\/audits\/(\d+)/)?.[1];
  return callRoute(route.file, method, { url, cookie: role && cookies.get(role), body, params: id ? { id } : {} });
}

beforeAll(async () => {
  cookies = await signInRoles(ROLES);
  const { getDb } = await import('@/db');
  const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
  datasetId = (await importGptEdit(getDb(), SAMPLES_DIR)).datasetId;
});
afterAll(closeRoutes);

describe('audit routes', () => {
  it('answer 401 signed out, 403 without the permission, and let the permitted roles through', async () => {
    const failures: string[] = [];
    for (const route of ROUTES) {
      const url = route.path.replace(':id', '999');
      const anonymous = await call(undefined, route.method, url);
      if (anonymous.status !== 401) failures.push(`${route.method} ${route.path} signed out: ${anonymous.status}`);
      for (const role of ROLES) {
        const { status } = await call(role, route.method, url);
        const allowed = (PERMISSIONS[route.permission] as readonly Role[]).includes(role);
        if (allowed && (status === 401 || status === 403 || status >= 500))
          failures.push(`${route.method} ${route.path} as ${role}: ${status}`);
        if (!allowed && status !== 403) failures.push(`${route.method} ${route.path} as ${role}: ${status}, expected 403`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('create, claim, score, report (JSON and CSV) and close over HTTP', async () => {
    const spec = { datasetId, population: { kind: 'filter' }, sampling: { mode: 'fixed', perStratum: 1 }, seed: 42 };
    const preview = await call('lead', 'POST', '/api/audits/preview', spec);
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({ populationSize: 12, sampleSize: 11 });

    expect((await call('lead', 'POST', '/api/audits', { ...spec })).json.error).toMatch(/name/);
    const created = await call('lead', 'POST', '/api/audits', { ...spec, name: 'HTTP round trip' });
    expect(created.status).toBe(201);
    const campaign = created.json;
    expect(campaign).toMatchObject({ name: 'HTTP round trip', seed: 42, blind: true, createdBy: 'only-lead', sampleSize: 11 });

    const holder = 'tab-0123456789';
    const claim = await call('auditor', 'POST', `/api/audits/${campaign.id}/claim`, { holder });
    expect(claim.status).toBe(200);
    expect(claim.json.progress).toEqual({ audited: 0, sampled: 11, mine: 0 });
    const sample = claim.json.sample;
    expect(sample).not.toHaveProperty('verdicts');
    // The lead's page (another holder) gets another sample.
    const other = await call('lead', 'POST', `/api/audits/${campaign.id}/claim`, { holder });
    expect(other.json.sample.itemId).not.toBe(sample.itemId);

    const scores = { instructionFollowing: 7, identityPreservation: 9, visualQuality: 8, pass: true };
    const bad = await call('auditor', 'POST', `/api/audits/${campaign.id}/results`, {
      holder,
      itemId: sample.itemId,
      ...scores,
      visualQuality: 12,
    });
    expect(bad.status).toBe(400);
    const taken = await call('auditor', 'POST', `/api/audits/${campaign.id}/results`, {
      holder,
      itemId: other.json.sample.itemId,
      ...scores,
    });
    expect(taken.status).toBe(409);
    const result = await call('auditor', 'POST', `/api/audits/${campaign.id}/results`, {
      holder,
      itemId: sample.itemId,
      ...scores,
      msSpent: 5000,
    });
    expect(result.status).toBe(201);
    expect(result.json.progress).toEqual({ audited: 1, sampled: 11, mine: 1 });
    expect((await call('lead', 'POST', `/api/audits/${campaign.id}/release`, { holder })).json).toEqual({ released: 1 });

    const list = await call('auditor', 'GET', '/api/audits');
    expect(list.json.campaigns[0]).toMatchObject({ id: campaign.id, audited: 1, passes: 1, passRate: { estimate: 1 } });

    const report = await call('auditor', 'GET', `/api/audits/${campaign.id}/report`);
    expect(report.json.progress).toEqual({ audited: 1, sampled: 11 });
    const csv = await call('auditor', 'GET', `/api/audits/${campaign.id}/report?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="audit-${campaign.id}-http-round-trip.csv"`);
    expect(csv.text.trimEnd().split('\n')).toHaveLength(13);
    const file = await call('auditor', 'GET', `/api/audits/${campaign.id}/report?format=json`);
    expect(file.headers.get('content-disposition')).toContain('.json');
    expect(file.json.campaign.id).toBe(campaign.id);

    expect((await call('lead', 'POST', `/api/audits/${campaign.id}/close`)).json.status).toBe('closed');
    const late = await call('auditor', 'POST', `/api/audits/${campaign.id}/claim`, { holder });
    expect(late.status).toBe(409);
    expect(late.json.error).toMatch(/closed/);
    expect((await call('auditor', 'GET', '/api/audits/999/report')).status).toBe(404);
  });
});
