import { describe, expect, it } from 'vitest';
import { backLink, itemHref, safeFrom } from './back-link';

describe('the item page back link', () => {
  it('goes back to the page it came from, filters kept', () => {
    expect(backLink('/datasets/3?status=pending&family=omniedit')).toEqual({
      href: '/datasets/3?status=pending&family=omniedit',
      label: 'Dataset',
    });
    expect(backLink('/review?dataset=2&signal=ssim&sort=desc')?.label).toBe('Review');
    expect(backLink('/jobs?status=failed')).toEqual({ href: '/jobs?status=failed', label: 'Jobs' });
    expect(backLink('/audits/4/report')?.label).toBe('Audit');
    expect(backLink('/somewhere-new')?.label).toBe('Back');
  });

  it('refuses every other origin and scheme (no open redirect)', () => {
    for (const hostile of [
      '//evil.com',
      '//evil.com/datasets/1',
      '/\\evil.com',
      '/\\/evil.com',
      'https://evil.com/',
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      ' /datasets/1',
      '/datasets/1\n//evil.com',
      '/\t/evil.com',
      'data:text/html,hi',
      '/login?next=//evil.com',
      '/api/exports/1/download',
      '',
      undefined,
      null,
    ]) {
      expect(safeFrom(hostile), String(hostile)).toBeUndefined();
      expect(backLink(hostile), String(hostile)).toBeUndefined();
    }
  });

  it('links to an item with a safe from only', () => {
    expect(itemHref(7, '/datasets/3?status=pending')).toBe('/items/7?from=%2Fdatasets%2F3%3Fstatus%3Dpending');
    expect(itemHref(7, '//evil.com')).toBe('/items/7');
    expect(itemHref(7)).toBe('/items/7');
  });
});
