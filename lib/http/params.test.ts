import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';
import { decimalCount, idParam, idValue, parseId } from './params';

const LOOSE = ['0x1', '1e0', ' 1', '1 ', '01', '1.0', '-1', '+1', '0', '', '0b1', '1_000', '9007199254740993', '１'];

describe('ids from URLs', () => {
  it('are decimal integers only', () => {
    for (const bad of LOOSE) expect(idParam.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(idParam.parse('1')).toBe(1);
    expect(idParam.parse('9007199254740991')).toBe(9007199254740991);
    expect(parseId('0x1')).toBeUndefined();
    expect(parseId('42')).toBe(42);
    expect(decimalCount().parse('0')).toBe(0);
    expect(decimalCount().safeParse('1e3').success).toBe(false);
  });

  it('may be a JSON integer in a body, never a fraction or a loose string', () => {
    expect(idValue.parse(3)).toBe(3);
    expect(idValue.parse('3')).toBe(3);
    for (const bad of [1.5, 0, -1, '0x3', Number.MAX_SAFE_INTEGER + 2]) expect(idValue.safeParse(bad).success, String(bad)).toBe(false);
  });
});

describe('route handlers refuse loose ids', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = (await signInRoles(['lead'])).get('lead')!;
  });
  afterAll(closeRoutes);

  it('in a path segment and in a query parameter', async () => {
    for (const bad of ['0x1', '1e0', '01', '1.0', '-1']) {
      const history = await callRoute('app/api/items/[id]/history/route.ts', 'GET', { cookie, params: { id: bad } });
      expect(history.status, bad).toBe(400);
      const jobs = await callRoute('app/api/jobs/route.ts', 'GET', { cookie, url: `/api/jobs?before=${encodeURIComponent(bad)}` });
      expect(jobs.status, bad).toBe(400);
      const disputed = await callRoute('app/api/adjudication/route.ts', 'GET', {
        cookie,
        url: `/api/adjudication?datasetId=${encodeURIComponent(bad)}`,
      });
      expect(disputed.status, bad).toBe(400);
    }
    expect((await callRoute('app/api/jobs/route.ts', 'GET', { cookie, url: '/api/jobs?before=5&limit=10' })).status).toBe(200);
    expect((await callRoute('app/api/items/[id]/history/route.ts', 'GET', { cookie, params: { id: '1' } })).status).toBe(404);
  });
});
