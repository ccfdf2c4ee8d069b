/**
 * The route handlers parse with the contracts of lib/api: for a representative route of each
 * concept, a bad request is refused with exactly the message the contract's own schema gives
 * (`invalid request: <path>: <zod message>`, lib/http/handler.ts), and a good one is answered.
 * A route that parsed with a schema of its own, or none, would answer something else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { auditClaimRequest, previewRequest } from '@/lib/api/audits';
import { dashboardQuery, signalQuery } from '@/lib/api/dashboard';
import { startExportRequest, exportsQuery } from '@/lib/api/exports';
import { adjudicationQuery, goldRequest } from '@/lib/api/items';
import { claimRequest, holderRequest, verdictRequest } from '@/lib/api/reviews';
import { groupRequest, signalsRequest } from '@/lib/api/signals';
import { reviewSettingsRequest, teamQuery } from '@/lib/api/team';
import { addUserRequest, changeUserRequest } from '@/lib/api/users';
import type { Role } from '@/lib/auth/roles';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';

let cookies: Map<Role, string>;
let datasetId: number;

beforeAll(async () => {
  cookies = await signInRoles(['annotator', 'lead', 'admin']);
  const { getDb } = await import('@/db');
  const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
  datasetId = (await importGptEdit(getDb(), SAMPLES_DIR)).datasetId;
});
afterAll(closeRoutes);

/** What handle() answers when `schema` refuses `input`. */
function refusal(schema: z.ZodType, input: unknown): string {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error(`the contract accepts ${JSON.stringify(input)}`);
  const first = parsed.error.issues[0];
  return `invalid request: ${first.path.join('.') || 'body'}: ${first.message}`;
}

interface Case {
  name: string;
  role: Role;
  file: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url?: string;
  params?: Record<string, string>;
  schema: z.ZodType;
  /** The body, or for a GET the query parameters as the route reads them. */
  bad: () => Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: 'claim',
    role: 'annotator',
    file: 'app/api/queue/claim/route.ts',
    method: 'POST',
    schema: claimRequest,
    bad: () => ({ holder: 'short', filter: { datasetId } }),
  },
  {
    name: 'renew',
    role: 'annotator',
    file: 'app/api/queue/renew/route.ts',
    method: 'POST',
    schema: holderRequest,
    bad: () => ({ holder: 7 }),
  },
  {
    name: 'verdict',
    role: 'annotator',
    file: 'app/api/verdicts/route.ts',
    method: 'POST',
    schema: verdictRequest,
    bad: () => ({ holder: 'contract-test-page', filter: { datasetId }, itemId: 1, decision: 'maybe' }),
  },
  {
    name: 'gold',
    role: 'lead',
    file: 'app/api/items/[id]/gold/route.ts',
    method: 'PUT',
    params: { id: '1' },
    schema: goldRequest,
    bad: () => ({ expected: 'skip' }),
  },
  {
    name: 'adjudication page',
    role: 'lead',
    file: 'app/api/adjudication/route.ts',
    method: 'GET',
    schema: adjudicationQuery,
    bad: () => ({ limit: '500' }),
  },
  {
    name: 'export',
    role: 'lead',
    file: 'app/api/exports/route.ts',
    method: 'POST',
    schema: startExportRequest,
    bad: () => ({ format: 'csv' }),
  },
  {
    name: 'exports page',
    role: 'lead',
    file: 'app/api/exports/route.ts',
    method: 'GET',
    schema: exportsQuery,
    bad: () => ({ limit: '0' }),
  },
  {
    name: 'add user',
    role: 'admin',
    file: 'app/api/users/route.ts',
    method: 'POST',
    schema: addUserRequest,
    bad: () => ({ username: 'someone', roles: [] }),
  },
  {
    name: 'change user',
    role: 'admin',
    file: 'app/api/users/[username]/route.ts',
    method: 'PATCH',
    params: { username: 'only-lead' },
    schema: changeUserRequest,
    bad: () => ({}),
  },
  {
    name: 'team',
    role: 'lead',
    file: 'app/api/team/route.ts',
    method: 'GET',
    schema: teamQuery,
    bad: () => ({ datasetId: String(datasetId), since: '-1' }),
  },
  {
    name: 'review settings',
    role: 'lead',
    file: 'app/api/datasets/[id]/settings/route.ts',
    method: 'PATCH',
    params: { id: '1' },
    schema: reviewSettingsRequest,
    bad: () => ({ goldRate: 0.9 }),
  },
  {
    name: 'dashboard',
    role: 'annotator',
    file: 'app/api/dashboard/route.ts',
    method: 'GET',
    schema: dashboardQuery,
    bad: () => ({ datasetId: '0x1' }),
  },
  {
    name: 'signal',
    role: 'lead',
    file: 'app/api/dashboard/signal/route.ts',
    method: 'GET',
    schema: signalQuery,
    bad: () => ({ datasetId: String(datasetId), signal: 'SSIM!' }),
  },
  {
    name: 'signals',
    role: 'lead',
    file: 'app/api/signals/route.ts',
    method: 'POST',
    schema: signalsRequest,
    bad: () => ({ filter: { datasetId }, force: 'yes' }),
  },
  {
    name: 'group',
    role: 'lead',
    file: 'app/api/signals/group/route.ts',
    method: 'POST',
    schema: groupRequest,
    bad: () => ({ datasetId, maxDistance: 33 }),
  },
  {
    name: 'audit preview',
    role: 'lead',
    file: 'app/api/audits/preview/route.ts',
    method: 'POST',
    schema: previewRequest,
    bad: () => ({ datasetId, population: { kind: 'all' }, sampling: { mode: 'fixed', perStratum: 0 } }),
  },
  {
    name: 'audit claim',
    role: 'lead',
    file: 'app/api/audits/[id]/claim/route.ts',
    method: 'POST',
    params: { id: '1' },
    schema: auditClaimRequest,
    bad: () => ({ holder: '' }),
  },
];

describe('route handlers parse with the contracts of lib/api', () => {
  for (const c of CASES) {
    it(`${c.name}: refused with the contract's own message`, async () => {
      const input = c.bad();
      const url = c.method === 'GET' ? `/?${new URLSearchParams(input as Record<string, string>)}` : '/';
      const answer = await callRoute(c.file, c.method, {
        cookie: cookies.get(c.role),
        url,
        params: c.params,
        body: c.method === 'GET' ? undefined : input,
      });
      expect(answer.status).toBe(400);
      expect(answer.json.error).toBe(refusal(c.schema, input));
    });
  }

  it('a good request passes the same schema and is answered', async () => {
    const claim = await callRoute('app/api/queue/claim/route.ts', 'POST', {
      cookie: cookies.get('annotator'),
      body: { holder: 'contract-test-page', filter: { datasetId }, count: 1 },
    });
    expect(claim.status).toBe(200);
    expect(claim.json.items).toHaveLength(1);
    const team = await callRoute('app/api/team/route.ts', 'GET', { cookie: cookies.get('lead'), url: `/?datasetId=${datasetId}` });
    expect(team.status).toBe(200);
  });
});
